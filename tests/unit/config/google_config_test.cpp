// The [google] section: defaults, loopback http:// base URLs for a fake, bad values refused, and
// the client and sealing key from the environment only.
#include <gtest/gtest.h>

#include <cstring>

#include "adapters/config/config.hpp"

using namespace frontdesk;

TEST(google_config, defaults_loopback_urls_and_bounds) {
  auto d = parse_config("", "x");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->google.api_base_url, "https://www.googleapis.com/calendar/v3");
  EXPECT_EQ(d->google.oauth_base_url, "https://oauth2.googleapis.com");
  EXPECT_EQ(d->google.mirror_max_age_seconds, 900);
  auto fake = parse_config("[google]\napi_base_url = \"http://127.0.0.1:4010/calendar/v3\"\n"
                           "oauth_base_url = \"http://127.0.0.1:4010\"\n"
                           "accounts_base_url = \"http://127.0.0.1:4010\"\npoll_seconds = 5\nwatch = false\n",
                           "f.toml");
  ASSERT_TRUE(fake) << fake.error().message;
  EXPECT_EQ(fake->google.api_base_url, "http://127.0.0.1:4010/calendar/v3");
  EXPECT_EQ(fake->google.poll_seconds, 5);
  EXPECT_FALSE(fake->google.watch);
  EXPECT_FALSE(parse_config("[google]\napi_base_url = \"www.googleapis.com\"\n", "f.toml"));
  EXPECT_FALSE(parse_config("[google]\nmirror_max_age_seconds = 0\n", "f.toml"));
  EXPECT_FALSE(parse_config("[google]\nclient_secret = \"x\"\n", "f.toml")) << "secrets never from the file";
  EXPECT_FALSE(parse_config("[google]\nsecret_key = \"x\"\n", "f.toml"));
}

TEST(google_config, client_and_key_come_from_the_environment) {
  config cfg;
  apply_environment(cfg, [](const char* name) -> const char* {
    if (std::strcmp(name, "GOOGLE_CLIENT_ID") == 0)
      return "id.apps.googleusercontent.com";
    if (std::strcmp(name, "GOOGLE_CLIENT_SECRET") == 0)
      return "secret";
    if (std::strcmp(name, "FRONTDESK_SECRET_KEY") == 0)
      return "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    return nullptr;
  });
  EXPECT_EQ(cfg.google.client_id, "id.apps.googleusercontent.com");
  EXPECT_EQ(cfg.google.client_secret, "secret");
  EXPECT_EQ(cfg.google.secret_key.size(), 64u);
}
