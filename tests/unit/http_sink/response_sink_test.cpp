#include "adapters/http/response_sink.hpp"

#include <gtest/gtest.h>

using namespace frontdesk::http;
using namespace std::chrono_literals;

TEST(retry_after, delay_seconds_with_blanks_and_fractions) {
  EXPECT_EQ(parse_retry_after("7"), 7000ms);
  EXPECT_EQ(parse_retry_after(" 120 "), 120000ms);
  EXPECT_EQ(parse_retry_after("\t3\t"), 3000ms);
  EXPECT_EQ(parse_retry_after("0"), 0ms);
  EXPECT_EQ(parse_retry_after("0.5"), 500ms);
  EXPECT_EQ(parse_retry_after("1."), 1000ms);
  EXPECT_EQ(parse_retry_after(".25"), 250ms);
  EXPECT_EQ(parse_retry_after("0.0001"), 1ms); // rounded up: never sooner than asked
  EXPECT_EQ(parse_retry_after("99999999999"), 86400000ms); // capped at a day
  EXPECT_EQ(parse_retry_after_ms("1500"), 1500ms);
  EXPECT_EQ(parse_retry_after_ms(" 250.4 "), 251ms);
  EXPECT_EQ(parse_retry_after_ms("99999999999"), 86400000ms);
}

TEST(retry_after, malformed_values_are_nothing) {
  for (const char* bad : {"", " ", "\t", "-1", "+1", "1e3", "1.2.3", ".", "abc", "12 34", "1,5",
                          "0x10", "Wed, 21 Oct 2015 07:28:00 GMT", "99999999999999999999999",
                          "1\r", "5s", "inf", "nan"}) {
    EXPECT_EQ(parse_retry_after(bad), std::nullopt) << bad;
    EXPECT_EQ(parse_retry_after_ms(bad), std::nullopt) << bad;
  }
  EXPECT_EQ(parse_retry_after(std::string_view("1\0", 2)), std::nullopt);
}

TEST(retry_after, every_prefix_of_a_value_parses_or_is_nothing_and_never_more_than_the_whole) {
  std::string v = " 12.75 ";
  for (std::size_t i = 0; i <= v.size(); ++i) {
    auto w = parse_retry_after(std::string_view(v).substr(0, i));
    if (w)
      EXPECT_LE(*w, 12750ms) << i;
    else
      EXPECT_LE(i, 1u) << i; // only the empty and blank prefixes say nothing
  }
}

TEST(header_lines, names_are_lower_cased_and_values_trimmed) {
  auto h = split_header_line("Retry-After:  30 \r\n");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->first, "retry-after");
  EXPECT_EQ(h->second, "30");
  h = split_header_line("X-Empty:\r\n");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->second, "");
  h = split_header_line("Location: http://h:1/a:b\n");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->second, "http://h:1/a:b"); // only the first colon splits
  for (const char* bad : {"", "\r\n", "HTTP/1.1 429 Too Many Requests\r\n", "HTTP/2 503\r\n",
                          "no colon here\r\n", ": value\r\n", "Retry After: 3\r\n",
                          "Retry-After : 3\r\n", " folded: 3\r\n", "\tfolded: 3\r\n"})
    EXPECT_FALSE(split_header_line(bad)) << bad;
}

TEST(header_lines, every_cut_of_a_line_is_read_or_ignored_without_harm) {
  std::string line = "Retry-After: 42\r\n";
  for (std::size_t i = 0; i <= line.size(); ++i) {
    retry_headers r;
    r.on_line(std::string_view(line).substr(0, i));
    auto w = r.wait();
    // Cut before the colon or the value: no wait; within the value: a prefix of "42".
    if (i <= 13)
      EXPECT_FALSE(w) << i;
    else if (i == 14)
      EXPECT_EQ(w, 4000ms) << i;
    else
      EXPECT_EQ(w, 42000ms) << i;
  }
}

TEST(retry_headers, milliseconds_win_and_each_new_reply_starts_afresh) {
  retry_headers r;
  for (auto l : {"HTTP/1.1 429 Too Many Requests\r\n", "retry-after: 20\r\n",
                 "Retry-After-Ms: 1500\r\n", "\r\n"})
    r.on_line(l);
  EXPECT_EQ(r.wait(), 1500ms);
  r.on_line("HTTP/1.1 503 Service Unavailable\r\n");
  EXPECT_FALSE(r.wait());
  r.on_line("RETRY-AFTER: 2\r\n");
  EXPECT_EQ(r.wait(), 2000ms);
  r.on_line("retry-after-ms: soon\r\n"); // a malformed ms value leaves the seconds
  EXPECT_EQ(r.wait(), 2000ms);
  r.on_line("Retry-After: Wed, 21 Oct 2015 07:28:00 GMT\r\n"); // the last one counts
  EXPECT_FALSE(r.wait());
  r.on_line("Retry-After: " + std::string(100, '1') + "\r\n"); // kept cut, and malformed
  EXPECT_EQ(r.retry_after.size(), 64u);
  EXPECT_FALSE(r.wait());
}

TEST(response_sink, every_split_of_a_body_gives_the_body) {
  const std::string body = R"({"sid":"SM1","status":"queued","n":[1,2,3]})";
  for (std::size_t a = 0; a <= body.size(); ++a)
    for (std::size_t b = a; b <= body.size(); ++b) {
      response_sink s(body.size());
      EXPECT_TRUE(s.on_body(std::string_view(body).substr(0, a)));
      EXPECT_TRUE(s.on_body(std::string_view(body).substr(a, b - a)));
      EXPECT_TRUE(s.on_body(std::string_view(body).substr(b)));
      EXPECT_EQ(s.body, body);
      EXPECT_FALSE(s.overflowed());
    }
}

TEST(response_sink, a_body_over_the_cap_stops_at_any_split) {
  const std::string body(40, 'x');
  for (std::size_t cap = 0; cap < body.size(); ++cap)
    for (std::size_t a = 0; a <= body.size(); ++a) {
      response_sink s(cap);
      bool first = s.on_body(std::string_view(body).substr(0, a));
      bool second = first && s.on_body(std::string_view(body).substr(a));
      EXPECT_FALSE(second) << cap << " " << a;
      EXPECT_TRUE(s.overflowed());
      EXPECT_LE(s.body.size(), cap);
      EXPECT_FALSE(s.on_body("")); // once stopped, stays stopped
    }
}

TEST(response_sink, the_libcurl_callbacks_count_bytes_and_refuse_past_the_cap) {
  response_sink s(8);
  char hello[] = "hello";
  EXPECT_EQ(response_sink::curl_write(hello, 1, 5, &s), 5u);
  EXPECT_EQ(response_sink::curl_write(hello, 1, 5, &s), 0u); // 10 > 8: libcurl stops
  EXPECT_EQ(s.body, "hello");
  char line[] = "Retry-After: 9\r\n";
  EXPECT_EQ(response_sink::curl_header(line, 1, sizeof line - 1, &s), sizeof line - 1);
  EXPECT_EQ(s.headers.wait(), 9000ms);
  retry_headers only;
  EXPECT_EQ(retry_headers::curl_header(line, 1, sizeof line - 1, &only), sizeof line - 1);
  EXPECT_EQ(only.wait(), 9000ms);
}
