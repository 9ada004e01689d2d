#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "adapters/config/config.hpp"

using namespace frontdesk;

TEST(config, defaults_without_a_file) {
  auto cfg = parse_config("", "empty.toml");
  ASSERT_TRUE(cfg);
  EXPECT_EQ(cfg->node.listen, "127.0.0.1:8080");
  EXPECT_EQ(cfg->scheduler.max_threads, 2);
  EXPECT_EQ(cfg->scheduler.policy, "sharing");
  EXPECT_EQ(cfg->scheduler.realtime_priority, 10);
  EXPECT_TRUE(cfg->twilio.validate_signatures);
  EXPECT_FALSE(cfg->node.now);
}

TEST(config, reads_values) {
  auto cfg = parse_config("[node]\nlisten = \"127.0.0.1:9000\"\nnow = \"2026-03-04T15:00:00Z\"\n"
                          "[database]\npool_size = 8\n[twilio]\nvalidate_signatures = false\n",
                          "a.toml");
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_EQ(cfg->node.listen, "127.0.0.1:9000");
  ASSERT_TRUE(cfg->node.now);
  EXPECT_EQ(format_rfc3339(*cfg->node.now), "2026-03-04T15:00:00.000Z");
  EXPECT_EQ(cfg->database.pool_size, 8);
  EXPECT_FALSE(cfg->twilio.validate_signatures);
  auto off = parse_config("[scheduler]\nrealtime_priority = 0\n", "b.toml");
  ASSERT_TRUE(off) << off.error().message;
  EXPECT_EQ(off->scheduler.realtime_priority, 0);
}

TEST(config, deepgram_send_every) {
  auto d = parse_config("", "f.toml");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->speech.deepgram_send_every_ms, 100);
  auto c = parse_config("[speech]\ndeepgram_send_every_ms = 200\n", "f.toml");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->speech.deepgram_send_every_ms, 200);
}

TEST(config, unknown_key_is_refused_with_name_and_line) {
  auto cfg = parse_config("[node]\nname = \"a\"\nlisen = \"127.0.0.1:1\"\n", "f.toml");
  ASSERT_FALSE(cfg);
  EXPECT_EQ(cfg.error().code, "config_unknown_key");
  EXPECT_EQ(cfg.error().message, "f.toml:3: unknown key 'node.lisen'");
}

TEST(config, unknown_section_is_refused) {
  auto cfg = parse_config("\n[nodes]\nname = \"a\"\n", "f.toml");
  ASSERT_FALSE(cfg);
  EXPECT_NE(cfg.error().message.find("f.toml:2: unknown section 'nodes'"), std::string::npos)
      << cfg.error().message;
}

TEST(config, wrong_type_is_refused_with_name_and_line) {
  auto cfg = parse_config("[database]\npool_size = \"four\"\n", "f.toml");
  ASSERT_FALSE(cfg);
  EXPECT_EQ(cfg.error().code, "config_bad_value");
  EXPECT_EQ(cfg.error().message,
            "f.toml:2: key 'database.pool_size' expected an integer, got string");
}

TEST(config, bad_values_are_refused) {
  for (auto text : {"[log]\nformat = \"xml\"\n", "[node]\nlisten = \"nohost\"\n",
                    "[node]\nlisten = \"h:99999\"\n", "[node]\npublic_url = \"ftp://x\"\n",
                    "[node]\nnow = \"yesterday\"\n", "[database]\npool_size = 0\n",
                    "[scheduler]\npolicy = \"random\"\n",
                    "[scheduler]\nrealtime_priority = 100\n",
                    "[scheduler]\nrealtime_priority = -1\n",
                    "[speech]\ndeepgram_send_every_ms = 0\n",
                    "[speech]\ndeepgram_send_every_ms = 5000\n"}) {
    auto cfg = parse_config(text, "f.toml");
    EXPECT_FALSE(cfg) << text;
    if (!cfg) {
      EXPECT_EQ(cfg.error().message.rfind("f.toml:2: key '", 0), 0u) << cfg.error().message;
    }
  }
}

TEST(config, syntax_error_names_the_line) {
  auto cfg = parse_config("[node]\nname = \n", "f.toml");
  ASSERT_FALSE(cfg);
  EXPECT_EQ(cfg.error().code, "config_syntax");
  EXPECT_EQ(cfg.error().message.rfind("f.toml:2:", 0), 0u) << cfg.error().message;
}

TEST(config, missing_file_names_the_path) {
  auto cfg = load_config_file("/nonexistent/frontdesk.toml");
  ASSERT_FALSE(cfg);
  EXPECT_EQ(cfg.error().code, "config_missing");
  EXPECT_NE(cfg.error().message.find("/nonexistent/frontdesk.toml"), std::string::npos);
}

TEST(config, secrets_come_from_the_environment) {
  auto cfg = parse_config("", "x");
  ASSERT_TRUE(cfg);
  apply_environment(*cfg, [](const char* name) -> const char* {
    std::string n = name;
    if (n == "DATABASE_URL")
      return "postgresql://app@127.0.0.1/x";
    if (n == "TWILIO_AUTH_TOKEN")
      return "secret";
    return nullptr;
  });
  EXPECT_EQ(cfg->database.url, "postgresql://app@127.0.0.1/x");
  EXPECT_EQ(cfg->twilio.auth_token, "secret");
  // The token cannot be set from the file at all.
  EXPECT_FALSE(parse_config("[twilio]\nauth_token = \"x\"\n", "x"));
}

// The shipped config/frontdesk.toml parses, documents every key, and states each key's default.
TEST(config, shipped_file_documents_every_key_with_its_default) {
  std::string path = std::string(FRONTDESK_SOURCE_DIR) + "/config/frontdesk.toml";
  auto cfg = load_config_file(path);
  ASSERT_TRUE(cfg) << cfg.error().message;
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  for (auto& key : config_keys()) {
    auto dot = key.path.find('.');
    auto section = "[" + key.path.substr(0, dot) + "]";
    auto name = key.path.substr(dot + 1);
    auto at = text.find(section);
    ASSERT_NE(at, std::string::npos) << section;
    auto line = text.find("\n" + name + " = ", at);
    ASSERT_NE(line, std::string::npos) << key.path << " is not documented";
    auto eol = text.find('\n', line + 1);
    auto value = text.substr(line + name.size() + 4, eol - line - name.size() - 4);
    if (key.default_text.find("(real time)") == std::string::npos) {
      EXPECT_EQ(value, key.default_text) << key.path;
    }
  }
  // And the file's values equal the built-in defaults.
  auto defaults = parse_config("", "x");
  EXPECT_EQ(cfg->node.listen, defaults->node.listen);
  EXPECT_EQ(cfg->database.pool_size, defaults->database.pool_size);
  EXPECT_EQ(cfg->node.max_calls, defaults->node.max_calls);
}

// The [llm] section: its defaults, values from the file, bounds, and the key from the
// environment only.
TEST(config, llm_section) {
  auto defaults = parse_config("", "x");
  ASSERT_TRUE(defaults);
  EXPECT_EQ(defaults->llm.base_url, "https://api.openai.com/v1");
  EXPECT_EQ(defaults->llm.model, "gpt-4o-mini");
  EXPECT_DOUBLE_EQ(defaults->llm.temperature, 0.3);
  EXPECT_EQ(defaults->llm.timeout_ms, 15000);
  EXPECT_EQ(defaults->llm.connect_timeout_ms, 3000);
  EXPECT_EQ(defaults->llm.max_attempts, 3);
  EXPECT_TRUE(defaults->llm.api_key.empty());

  auto cfg = parse_config("[speech]\ndialog = \"llm\"\n[llm]\nbase_url = \"http://127.0.0.1:11434/v1\"\n"
                          "model = \"llama3.1\"\ntemperature = 0\ntimeout_ms = 8000\nmax_attempts = 2\n",
                          "x");
  ASSERT_TRUE(cfg) << cfg.error().message;
  EXPECT_EQ(cfg->speech.dialog, "llm");
  EXPECT_EQ(cfg->llm.base_url, "http://127.0.0.1:11434/v1");
  EXPECT_EQ(cfg->llm.model, "llama3.1");
  EXPECT_DOUBLE_EQ(cfg->llm.temperature, 0.0);
  EXPECT_EQ(cfg->llm.timeout_ms, 8000);
  EXPECT_EQ(cfg->llm.max_attempts, 2);
  EXPECT_FALSE(validate(*cfg));

  auto temp = parse_config("[llm]\ntemperature = 2.5\n", "f.toml");
  ASSERT_FALSE(temp);
  EXPECT_NE(temp.error().message.find("f.toml:2: key 'llm.temperature' must be between 0 and 2"),
            std::string::npos)
      << temp.error().message;
  EXPECT_FALSE(parse_config("[llm]\ntemperature = \"warm\"\n", "x"));
  EXPECT_FALSE(parse_config("[llm]\nbase_url = \"api.openai.com\"\n", "x"));
  EXPECT_FALSE(parse_config("[llm]\nmax_attempts = 0\n", "x"));
  EXPECT_FALSE(parse_config("[llm]\nmodel = \"\"\n", "x"));
  EXPECT_FALSE(parse_config("[speech]\ndialog = \"gpt\"\n", "x"));
  // The key cannot be set from the file at all.
  EXPECT_FALSE(parse_config("[llm]\napi_key = \"sk-x\"\n", "x"));
  apply_environment(*cfg, [](const char* name) -> const char* {
    return std::string(name) == "OPENAI_API_KEY" ? "sk-from-env" : nullptr;
  });
  EXPECT_EQ(cfg->llm.api_key, "sk-from-env");
}
