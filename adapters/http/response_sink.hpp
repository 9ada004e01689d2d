#pragma once
// One way to read a vendor's reply through libcurl: the body up to a cap, and the headers that
// say how long to wait before asking again. Pure (no libcurl types): the two static callbacks
// have libcurl's write/header callback signature, so the adapters hand them to
// CURLOPT_WRITEFUNCTION / CURLOPT_HEADERFUNCTION with the sink (or its headers) as the data.
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace frontdesk::http {

/// A `Retry-After` value: delay-seconds, surrounded by optional blanks. A fraction ("0.5") is
/// accepted since some vendors send one; an HTTP-date, a sign, an exponent or anything else is
/// malformed. Capped at a day. Nothing when empty or malformed.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view seconds);

/// The same for a `retry-after-ms` value (OpenAI): milliseconds, maybe fractional, rounded up.
std::optional<std::chrono::milliseconds> parse_retry_after_ms(std::string_view milliseconds);

/// One header line as libcurl hands it ("Name: value\r\n"): the name lower-cased and the value
/// without surrounding blanks or the line end. Nothing for a status line, the blank line that
/// ends the headers, or a line without a colon or with an empty name or one holding a blank.
std::optional<std::pair<std::string, std::string_view>> split_header_line(std::string_view line);

/// What a reply's headers say about waiting. Each new status line ("HTTP/1.1 100 Continue",
/// a redirect followed) starts afresh, so only the final reply's headers count.
struct retry_headers {
  std::string retry_after;    // the raw values (at most 64 characters kept), "" when absent
  std::string retry_after_ms;

  /// Takes one header line.
  void on_line(std::string_view line);
  /// How long to wait: `retry-after-ms` wins over `Retry-After`; nothing when neither parses.
  std::optional<std::chrono::milliseconds> wait() const;

  /// A libcurl header callback; `user` is a retry_headers.
  static std::size_t curl_header(char* data, std::size_t size, std::size_t n, void* user);
};

/// A reply's body, read up to `max_body` bytes, and its retry headers.
class response_sink {
public:
  explicit response_sink(std::size_t max_body) : max_body_(max_body) {}

  /// Appends a chunk of the body. False, and nothing appended, when it would pass the cap
  /// (libcurl then stops the transfer with a write error).
  bool on_body(std::string_view chunk);
  void on_header(std::string_view line) { headers.on_line(line); }

  /// The body so far.
  std::string body;
  retry_headers headers;
  /// The reply was larger than the cap (the transfer was stopped).
  bool overflowed() const { return overflowed_; }

  /// libcurl write and header callbacks; `user` is a response_sink.
  static std::size_t curl_write(char* data, std::size_t size, std::size_t n, void* user);
  static std::size_t curl_header(char* data, std::size_t size, std::size_t n, void* user);

private:
  std::size_t max_body_;
  bool overflowed_ = false;
};

} // namespace frontdesk::http
