// The Engine.IO echo fixture: every message goes back unchanged, text as text, binary as binary.
// Nothing else is sent besides what the engine itself sends (open, ping, noop, close).
#pragma once

#include "sio/engine/engine.hpp"

namespace sio::apps {

class EioEcho final : public engine::Handler {
 public:
  void on_open(const std::shared_ptr<engine::Session>&) override {}
  void on_text(const std::shared_ptr<engine::Session>& session, std::string text) override;
  void on_binary(const std::shared_ptr<engine::Session>& session, std::string bytes) override;
  void on_close(const std::shared_ptr<engine::Session>&, engine::CloseReason,
                std::string_view) override {}
};

}  // namespace sio::apps
