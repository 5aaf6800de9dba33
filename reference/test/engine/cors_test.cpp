#include "sio/engine/cors.hpp"

#include <gtest/gtest.h>

namespace sio::engine {
namespace {

HttpRequest request_from(std::optional<std::string> origin, Method method = Method::get,
                         std::optional<std::string> requested_headers = std::nullopt) {
  HttpRequest request;
  request.method = method;
  if (origin) request.headers.push_back({"origin", *origin});
  if (requested_headers)
    request.headers.push_back({"access-control-request-headers", *requested_headers});
  return request;
}

TEST(Cors, AnyOriginAnswersStar) {
  CorsConfig cors;
  EXPECT_EQ(cors_headers(cors, request_from("https://a.example")),
            (Headers{{"Access-Control-Allow-Origin", "*"}}));
  EXPECT_EQ(cors_headers(cors, request_from(std::nullopt)),
            (Headers{{"Access-Control-Allow-Origin", "*"}}));
}

TEST(Cors, OffAddsNothing) {
  CorsConfig cors;
  cors.mode = CorsConfig::Mode::off;
  EXPECT_TRUE(cors_headers(cors, request_from("https://a.example")).empty());
}

TEST(Cors, ListReflectsAllowedOriginsOnly) {
  CorsConfig cors;
  cors.mode = CorsConfig::Mode::list;
  cors.origins = {"https://a.example"};
  EXPECT_EQ(cors_headers(cors, request_from("https://a.example")),
            (Headers{{"Access-Control-Allow-Origin", "https://a.example"}, {"Vary", "Origin"}}));
  EXPECT_EQ(cors_headers(cors, request_from("https://evil.example")),
            (Headers{{"Vary", "Origin"}}));
}

TEST(Cors, CredentialsReflectTheOriginInsteadOfStar) {
  CorsConfig cors;
  cors.credentials = true;
  EXPECT_EQ(cors_headers(cors, request_from("https://a.example")),
            (Headers{{"Access-Control-Allow-Origin", "https://a.example"},
                     {"Access-Control-Allow-Credentials", "true"},
                     {"Vary", "Origin"}}));
}

TEST(Cors, PreflightIs204WithMethodsAndReflectedHeaders) {
  CorsConfig cors;
  const auto response =
      preflight_response(cors, request_from("https://a.example", Method::options, "content-type"));
  EXPECT_EQ(response.status, 204u);
  EXPECT_TRUE(response.body.empty());
  EXPECT_EQ(response.headers,
            (Headers{{"Access-Control-Allow-Origin", "*"},
                     {"Access-Control-Allow-Headers", "content-type"},
                     {"Vary", "Access-Control-Request-Headers"},
                     {"Access-Control-Allow-Methods", "GET,HEAD,PUT,PATCH,POST,DELETE"}}));
}

}  // namespace
}  // namespace sio::engine
