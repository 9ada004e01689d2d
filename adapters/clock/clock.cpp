#include "adapters/clock/clock.hpp"

namespace frontdesk {

sys_time system_clock::now() const {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

offset_clock::offset_clock(sys_time start) : offset_(start - system_clock{}.now()) {}

sys_time offset_clock::now() const { return system_clock{}.now() + offset_; }

std::shared_ptr<clock> make_clock(const std::optional<sys_time>& start) {
  if (start)
    return std::make_shared<offset_clock>(*start);
  return std::make_shared<system_clock>();
}

} // namespace frontdesk
