#include "sio/engine/http.hpp"

#include <gtest/gtest.h>

namespace sio::engine {
namespace {

TEST(Http, MethodsAreRecognisedExactly) {
  EXPECT_EQ(method_from_string("GET"), Method::get);
  EXPECT_EQ(method_from_string("POST"), Method::post);
  EXPECT_EQ(method_from_string("PUT"), Method::put);
  EXPECT_EQ(method_from_string("OPTIONS"), Method::options);
  EXPECT_EQ(method_from_string("DELETE"), Method::del);
  EXPECT_EQ(method_from_string("get"), Method::other);  // methods are case-sensitive
  EXPECT_EQ(method_from_string("BREW"), Method::other);
}

TEST(Http, FindHeaderReturnsTheFirstMatch) {
  const Headers headers{{"origin", "a"}, {"origin", "b"}, {"x", ""}};
  EXPECT_EQ(find_header(headers, "origin"), "a");
  EXPECT_EQ(find_header(headers, "x"), "");
  EXPECT_FALSE(find_header(headers, "y"));
  HttpRequest request;
  request.headers = headers;
  EXPECT_EQ(request.header("origin"), "a");
}

TEST(Http, ResponseSetAppendsHeaders) {
  HttpResponse response;
  response.set("A", "1").set("B", "2");
  EXPECT_EQ(response.headers, (Headers{{"A", "1"}, {"B", "2"}}));
}

}  // namespace
}  // namespace sio::engine
