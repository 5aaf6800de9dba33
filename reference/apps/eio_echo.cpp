#include "sio/apps/eio_echo.hpp"

namespace sio::apps {

void EioEcho::on_text(const std::shared_ptr<engine::Session>& session, std::string text) {
  session->send_text(text);
}

void EioEcho::on_binary(const std::shared_ptr<engine::Session>& session, std::string bytes) {
  session->send_binary(bytes);
}

}  // namespace sio::apps
