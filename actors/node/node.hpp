#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "adapters/clock/clock.hpp"
#include "adapters/config/config.hpp"

namespace frontdesk {

/// One Frontdesk node: the actor system and the services around it. This header stays free of
/// CAF so that the executable's other translation units compile fast.
class node {
public:
  node(config cfg, std::shared_ptr<frontdesk::clock> clk);
  ~node();

  /// Starts the actor system and connects to the database. Returns false (after logging why)
  /// when the node cannot serve.
  bool start();

  /// Stops accepting work, drains, and shuts down. Safe to call more than once.
  void stop();

  /// The port the HTTP edge listens on (after start).
  std::uint16_t port() const;
  /// Calls in progress.
  std::size_t live_calls() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace frontdesk
