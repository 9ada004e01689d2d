// Fuzzes the cluster's address list parser (cluster.seeds, cluster.listen): any input either
// parses to host/port pairs that print back to a list parsing to the same pairs, or fails
// cleanly.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "actors/cluster/membership.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto r = frontdesk::cluster::parse_addresses(in);
  if (!r)
    return 0;
  std::string again;
  for (auto& [host, port] : *r) {
    if (port == 0 || host.empty())
      std::abort();
    again += (again.empty() ? "" : ",") + host + ":" + std::to_string(port);
  }
  auto r2 = frontdesk::cluster::parse_addresses(again);
  if (!r2 || *r2 != *r)
    std::abort();
  return 0;
}
