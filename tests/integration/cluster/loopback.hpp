#pragma once

// Helpers of the cluster tests: a free loopback port, and waiting for a condition.
#include <chrono>
#include <cstdint>
#include <functional>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace frontdesk::fixtures {

/// A loopback port that was free a moment ago (the OS's choice).
inline std::uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t n = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &n);
  ::close(fd);
  return ntohs(a.sin_port);
}

/// Polls `ok` every 20 ms until it holds or `limit` has passed; its last answer.
inline bool wait_for(const std::function<bool()>& ok, std::chrono::milliseconds limit) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (ok())
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return ok();
}

} // namespace frontdesk::fixtures
