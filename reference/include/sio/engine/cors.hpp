// Cross-origin headers for browser clients: on every response of the engine, errors included,
// and the answer to a preflight OPTIONS request.
#pragma once

#include "sio/engine/engine.hpp"
#include "sio/engine/http.hpp"

namespace sio::engine {

// The headers to add to any response to `request`. Empty when CORS is off; without
// Access-Control-Allow-Origin when the request's origin is not in the list.
Headers cors_headers(const CorsConfig& cors, const HttpRequest& request);

// 204 with the allowed methods and the requested headers reflected, plus cors_headers().
HttpResponse preflight_response(const CorsConfig& cors, const HttpRequest& request);

}  // namespace sio::engine
