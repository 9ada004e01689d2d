#include <gtest/gtest.h>

#include "protocols/twilio/signature.hpp"

using namespace frontdesk::twilio;

namespace {
form vector_params() {
  form f;
  f.add("CallSid", "CA1234567890ABCDE");
  f.add("Caller", "+14158675309");
  f.add("Digits", "1234");
  f.add("From", "+14158675309");
  f.add("To", "+18005551212");
  return f;
}
} // namespace

// Twilio's published vectors (its SDK's request validator tests).
TEST(signature, published_form_vector) {
  EXPECT_EQ(compute_signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", vector_params()),
            "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
  EXPECT_TRUE(validate_signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2",
                                 vector_params(), "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
}

TEST(signature, the_default_port_may_be_added_or_removed) {
  EXPECT_EQ(compute_signature("12345", "https://mycompany.com:443/myapp.php?foo=1&bar=2", vector_params()),
            "kvajT1Ptam85bY51eRf/AJRuM3w=");
  // Signed with the port, requested without it, and the other way round.
  EXPECT_TRUE(validate_signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2",
                                 vector_params(), "kvajT1Ptam85bY51eRf/AJRuM3w="));
  EXPECT_TRUE(validate_signature("12345", "https://mycompany.com:443/myapp.php?foo=1&bar=2",
                                 vector_params(), "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
}

TEST(signature, repeated_names_sort_their_values) {
  form f;
  f.add("Sid", "CA123");
  f.add("SidAccount", "AC123");
  f.add("Digits", "5678");
  f.add("Digits", "1234");
  EXPECT_EQ(compute_signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", f),
            "IK+Dwps556ElfBT0I3Rgjkr1wJU=");
}

TEST(signature, json_body_form) {
  std::string body = R"({"property": "value", "boolean": true})";
  EXPECT_EQ(sha256_hex(body), "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620");
  std::string url = "https://mycompany.com/myapp.php?foo=1&bar=2&bodySHA256=" + sha256_hex(body);
  EXPECT_TRUE(validate_json_signature("12345", url, body, "a9nBmqA0ju/hNViExpshrM61xv4="));
  EXPECT_FALSE(validate_json_signature("12345", url, body + " ", "a9nBmqA0ju/hNViExpshrM61xv4="));
}

TEST(signature, wrong_token_params_url_or_signature_fail) {
  auto url = "https://mycompany.com/myapp.php?foo=1&bar=2";
  auto good = "RSOYDt4T1cUTdK1PDd93/VVr8B8=";
  EXPECT_FALSE(validate_signature("54321", url, vector_params(), good));
  auto p = vector_params();
  p.fields[2].second = "1235";
  EXPECT_FALSE(validate_signature("12345", url, p, good));
  EXPECT_FALSE(validate_signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=3",
                                  vector_params(), good));
  EXPECT_FALSE(validate_signature("12345", url, vector_params(), ""));
  EXPECT_FALSE(validate_signature("12345", url, vector_params(), "RSOYDt4T1cUTdK1PDd93/VVr8B8"));
  EXPECT_FALSE(validate_signature("", url, vector_params(), good));
}

TEST(url, parses_and_derives_the_media_url) {
  auto u = parse_url("https://Example.com:8443/a/b?x=1");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->scheme, "https");
  EXPECT_EQ(u->host, "Example.com");
  EXPECT_EQ(u->port, "8443");
  EXPECT_EQ(u->path, "/a/b");
  EXPECT_EQ(u->query, "x=1");
  EXPECT_EQ(*media_stream_url("https://fd.example.com"), "wss://fd.example.com/twilio/media");
  EXPECT_EQ(*media_stream_url("http://127.0.0.1:8080/"), "ws://127.0.0.1:8080/twilio/media");
  for (auto bad : {"", "example.com", "ftp://x", "https://", "https://:80/", "https://h:x/",
                   "https://user@h/", "https://h:123456/"})
    EXPECT_FALSE(parse_url(bad)) << bad;
}
