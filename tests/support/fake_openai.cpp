#include "tests/support/fake_openai.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <stdexcept>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/json.hpp>

namespace frontdesk::fixtures {
namespace {

namespace json = boost::json;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool send_all(int fd, std::string_view data) {
  while (!data.empty()) {
    auto n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0)
      return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

const char* reason(int status) {
  switch (status) {
  case 200: return "OK";
  case 400: return "Bad Request";
  case 401: return "Unauthorized";
  case 404: return "Not Found";
  case 429: return "Too Many Requests";
  case 500: return "Internal Server Error";
  case 503: return "Service Unavailable";
  default: return "Status";
  }
}

std::string chunk_json(const json::object& delta, const json::value& finish) {
  json::object choice{{"index", 0}, {"delta", delta}, {"logprobs", nullptr}, {"finish_reason", finish}};
  json::object o{{"id", "chatcmpl-test"},
                 {"object", "chat.completion.chunk"},
                 {"created", 1772600000},
                 {"model", "gpt-4o-mini-2024-07-18"},
                 {"system_fingerprint", "fp_test"},
                 {"choices", json::array{choice}},
                 {"usage", nullptr}};
  return json::serialize(o);
}

std::string usage_json() {
  return json::serialize(json::object{
      {"id", "chatcmpl-test"},
      {"object", "chat.completion.chunk"},
      {"created", 1772600000},
      {"model", "gpt-4o-mini-2024-07-18"},
      {"choices", json::array{}},
      {"usage", {{"prompt_tokens", 120}, {"completion_tokens", 12}, {"total_tokens", 132}}}});
}

} // namespace

std::optional<std::string> recorded_request::header(std::string_view name) const {
  for (auto& [k, v] : headers)
    if (iequals(k, name))
      return v;
  return std::nullopt;
}

fake_openai::fake_openai(script s) : script_(std::move(s)) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 64) != 0)
    throw std::runtime_error("fake_openai: cannot listen");
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

fake_openai::~fake_openai() { stop(); }

std::string fake_openai::base_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }

std::vector<recorded_request> fake_openai::requests() const {
  std::lock_guard lk(mtx_);
  return requests_;
}

int fake_openai::count() const {
  std::lock_guard lk(mtx_);
  return static_cast<int>(requests_.size());
}

void fake_openai::stop() {
  {
    std::lock_guard lk(mtx_); // under the lock, so no waiter misses the wake-up
    if (stopping_.exchange(true))
      return;
  }
  cv_.notify_all();
  ::shutdown(listen_fd_, SHUT_RDWR); // wakes the blocked accept()
  if (acceptor_.joinable())
    acceptor_.join();
  ::close(listen_fd_);
  std::vector<std::thread> threads;
  {
    std::lock_guard lk(mtx_);
    for (int fd : open_fds_)
      ::shutdown(fd, SHUT_RDWR);
    threads = std::move(threads_);
  }
  for (auto& t : threads)
    t.join();
}

bool fake_openai::wait(std::chrono::milliseconds d) {
  std::unique_lock lk(mtx_);
  return !cv_.wait_for(lk, d, [this] { return stopping_.load(); });
}

void fake_openai::accept_loop() {
  while (!stopping_) {
    int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) {
      if (stopping_)
        return;
      continue;
    }
    std::lock_guard lk(mtx_);
    if (stopping_) {
      ::close(fd);
      return;
    }
    // A reply goes out in several writes (head, chunks): without this, Nagle's algorithm holds
    // each later write until the peer's delayed ACK, some 40 ms a request.
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    open_fds_.push_back(fd);
    threads_.emplace_back([this, fd] { serve(fd); });
  }
}

void fake_openai::serve(int fd) {
  std::string in;
  char buf[8192];
  auto fill = [&]() {
    auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0)
      return false;
    in.append(buf, static_cast<std::size_t>(n));
    return true;
  };
  bool open = true;
  while (open && !stopping_) {
    std::size_t end;
    while ((end = in.find("\r\n\r\n")) == std::string::npos)
      if (!fill())
        goto done;
    {
      recorded_request req;
      std::string head = in.substr(0, end);
      in.erase(0, end + 4);
      auto line_end = head.find("\r\n");
      std::string first = head.substr(0, line_end);
      auto sp1 = first.find(' '), sp2 = first.rfind(' ');
      req.method = first.substr(0, sp1);
      req.target = first.substr(sp1 + 1, sp2 - sp1 - 1);
      std::size_t length = 0;
      for (auto at = line_end; at != std::string::npos && at < head.size();) {
        auto next = head.find("\r\n", at + 2);
        auto line = head.substr(at + 2, next == std::string::npos ? std::string::npos : next - at - 2);
        auto colon = line.find(':');
        if (colon != std::string::npos) {
          auto value = line.substr(colon + 1);
          while (!value.empty() && value.front() == ' ')
            value.erase(0, 1);
          req.headers.emplace_back(line.substr(0, colon), value);
          if (iequals(line.substr(0, colon), "content-length"))
            length = std::stoul(value);
        }
        at = next;
      }
      while (in.size() < length)
        if (!fill())
          goto done;
      req.body = in.substr(0, length);
      in.erase(0, length);
      int n;
      {
        std::lock_guard lk(mtx_);
        requests_.push_back(req);
        n = static_cast<int>(requests_.size());
      }
      auto reply = script_(req, n);
      if (reply.stall.count() > 0 && !wait(reply.stall))
        break;
      if (reply.reset) {
        linger hard{1, 0}; // close() then sends RST: the peer sees the connection reset
        ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
        break;
      }
      std::string out = "HTTP/1.1 " + std::to_string(reply.status) + " " + reason(reply.status) +
                        "\r\nContent-Type: " + reply.content_type +
                        "\r\nTransfer-Encoding: chunked\r\nx-request-id: req_test\r\n";
      for (auto& [k, v] : reply.headers)
        out += k + ": " + v + "\r\n";
      out += "\r\n";
      if (!send_all(fd, out))
        break;
      for (std::size_t i = 0; i < reply.chunks.size(); ++i) {
        if (i > 0 && reply.gap.count() > 0 && !wait(reply.gap))
          goto done;
        auto& c = reply.chunks[i];
        if (c.empty())
          continue; // an empty chunk would end the body
        char size[32];
        std::snprintf(size, sizeof size, "%zx\r\n", c.size());
        if (!send_all(fd, std::string(size) + c + "\r\n"))
          goto done;
      }
      if (reply.cut_off)
        break;
      if (!send_all(fd, "0\r\n\r\n"))
        break;
    }
  }
done:
  std::lock_guard lk(mtx_);
  ::shutdown(fd, SHUT_RDWR);
  ::close(fd);
  open_fds_.erase(std::remove(open_fds_.begin(), open_fds_.end(), fd), open_fds_.end());
}

std::string sse_data(std::string_view payload) { return "data: " + std::string(payload) + "\n\n"; }

std::vector<std::string> text_events(const std::vector<std::string>& pieces) {
  std::vector<std::string> out;
  out.push_back(sse_data(chunk_json({{"role", "assistant"}, {"content", ""}, {"refusal", nullptr}}, nullptr)));
  for (auto& p : pieces)
    out.push_back(sse_data(chunk_json({{"content", p}}, nullptr)));
  out.push_back(sse_data(chunk_json({}, "stop")));
  out.push_back(sse_data(usage_json()));
  out.push_back(sse_data("[DONE]"));
  return out;
}

std::vector<std::string> tool_events(const std::string& id, const std::string& name,
                                     const std::vector<std::string>& fragments,
                                     const std::vector<std::string>& text) {
  std::vector<std::string> out;
  out.push_back(sse_data(chunk_json({{"role", "assistant"}, {"content", text.empty() ? json::value(nullptr) : json::value("")}}, nullptr)));
  for (auto& t : text)
    out.push_back(sse_data(chunk_json({{"content", t}}, nullptr)));
  json::object first{{"index", 0},
                     {"id", id},
                     {"type", "function"},
                     {"function", {{"name", name}, {"arguments", ""}}}};
  out.push_back(sse_data(chunk_json({{"tool_calls", json::array{first}}}, nullptr)));
  for (auto& f : fragments) {
    json::object more{{"index", 0}, {"function", {{"arguments", f}}}};
    out.push_back(sse_data(chunk_json({{"tool_calls", json::array{more}}}, nullptr)));
  }
  out.push_back(sse_data(chunk_json({}, "tool_calls")));
  out.push_back(sse_data("[DONE]"));
  return out;
}

std::string error_body(const std::string& message, const std::string& type, const std::string& code) {
  json::object err{{"message", message}, {"type", type}, {"param", nullptr}};
  err["code"] = code.empty() ? json::value(nullptr) : json::value(code);
  return json::serialize(json::object{{"error", err}});
}

} // namespace frontdesk::fixtures
