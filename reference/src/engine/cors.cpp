#include "sio/engine/cors.hpp"

#include <algorithm>

namespace sio::engine {

Headers cors_headers(const CorsConfig& cors, const HttpRequest& request) {
  Headers out;
  if (cors.mode == CorsConfig::Mode::off) return out;
  const auto origin = request.header("origin");
  std::string vary;
  if (cors.mode == CorsConfig::Mode::any && !cors.credentials) {
    out.push_back({"Access-Control-Allow-Origin", "*"});
  } else {
    // A list, or "*" with credentials (browsers refuse "*" with credentials): reflect the origin.
    vary = "Origin";
    const bool allowed = origin && (cors.mode == CorsConfig::Mode::any ||
                                    std::find(cors.origins.begin(), cors.origins.end(), *origin) !=
                                        cors.origins.end());
    if (allowed) out.push_back({"Access-Control-Allow-Origin", std::string(*origin)});
  }
  if (cors.credentials) out.push_back({"Access-Control-Allow-Credentials", "true"});
  if (request.method == Method::options) {
    if (auto requested = request.header("access-control-request-headers")) {
      out.push_back({"Access-Control-Allow-Headers", std::string(*requested)});
      vary += vary.empty() ? "Access-Control-Request-Headers" : ", Access-Control-Request-Headers";
    }
  }
  if (!vary.empty()) out.push_back({"Vary", std::move(vary)});
  return out;
}

HttpResponse preflight_response(const CorsConfig& cors, const HttpRequest& request) {
  HttpResponse response;
  response.status = 204;
  response.headers = cors_headers(cors, request);
  response.set("Access-Control-Allow-Methods", "GET,HEAD,PUT,PATCH,POST,DELETE");
  return response;
}

}  // namespace sio::engine
