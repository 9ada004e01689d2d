#pragma once
// Starts a node for an end-to-end test on a loopback port of its own (a few tries, since tests
// run side by side).
#include <memory>
#include <optional>
#include <string>

#include <unistd.h>

#include "actors/node/node.hpp"

namespace frontdesk::fixtures {

inline std::unique_ptr<node> start_node(config cfg, std::optional<sys_time> clock, int salt) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    auto port = 20000 + (::getpid() * salt + attempt * 173) % 30000;
    cfg.node.listen = "127.0.0.1:" + std::to_string(port);
    cfg.node.public_url = "http://127.0.0.1:" + std::to_string(port);
    auto n = std::make_unique<node>(cfg, make_clock(clock));
    if (n->start())
      return n;
  }
  return nullptr;
}

} // namespace frontdesk::fixtures
