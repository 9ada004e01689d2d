// The [cluster] section: defaults (no cluster, TLS), values from the file, and bad values
// refused with the key's name.
#include <gtest/gtest.h>

#include "adapters/config/config.hpp"

using namespace frontdesk;

TEST(config_cluster, defaults_leave_the_node_alone_and_ask_for_tls) {
  auto c = parse_config("", "x");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->cluster.listen, "");
  EXPECT_FALSE(c->cluster.insecure);
  EXPECT_EQ(c->cluster.heartbeat_ms, 1000);
  EXPECT_EQ(c->cluster.timeout_ms, 5000);
  EXPECT_DOUBLE_EQ(c->cluster.spread_above, 0.8);
}

TEST(config_cluster, values_are_read_and_bad_ones_refused) {
  auto c = parse_config("[cluster]\nlisten = \"127.0.0.1:7001\"\nseeds = \"127.0.0.1:7002\"\n"
                        "public_url = \"https://calls.example.com\"\ninsecure = true\n"
                        "heartbeat_ms = 500\ntimeout_ms = 2500\nspread_above = 0.5\n",
                        "f.toml");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->cluster.listen, "127.0.0.1:7001");
  EXPECT_EQ(c->cluster.seeds, "127.0.0.1:7002");
  EXPECT_EQ(c->cluster.public_url, "https://calls.example.com");
  EXPECT_TRUE(c->cluster.insecure);
  EXPECT_EQ(c->cluster.heartbeat_ms, 500);
  EXPECT_EQ(c->cluster.timeout_ms, 2500);
  EXPECT_DOUBLE_EQ(c->cluster.spread_above, 0.5);
  auto bad_url = parse_config("[cluster]\npublic_url = \"calls.example.com\"\n", "f.toml");
  ASSERT_FALSE(bad_url);
  EXPECT_NE(bad_url.error().message.find("cluster.public_url"), std::string::npos);
  EXPECT_FALSE(parse_config("[cluster]\nspread_above = 1.5\n", "f.toml"));
  EXPECT_FALSE(parse_config("[cluster]\nheartbeat_ms = 0\n", "f.toml"));
  EXPECT_FALSE(parse_config("[cluster]\ninsecure = \"yes\"\n", "f.toml"));
}
