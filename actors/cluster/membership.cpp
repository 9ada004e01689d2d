#include "actors/cluster/membership.hpp"

#include <algorithm>

namespace frontdesk::cluster {

const char* to_string(change c) {
  switch (c) {
  case change::none: return "none";
  case change::joined: return "joined";
  case change::updated: return "updated";
  case change::replaced: return "replaced";
  case change::left: return "left";
  }
  return "?";
}

member_table::member_table(member self) : self_(std::move(self)) {}

change member_table::upsert(const member& m) {
  if (m.name.empty() || m.name == self_.name)
    return change::none;
  auto it = std::lower_bound(others_.begin(), others_.end(), m.name,
                             [](const member& a, const std::string& n) { return a.name < n; });
  if (it == others_.end() || it->name != m.name) {
    others_.insert(it, m);
    return change::joined;
  }
  if (m.incarnation < it->incarnation)
    return change::none;
  if (m.incarnation > it->incarnation) {
    *it = m;
    return change::replaced;
  }
  if (*it == m)
    return change::none;
  *it = m;
  return change::updated;
}

change member_table::remove(const std::string& name, std::uint64_t incarnation) {
  auto it = std::find_if(others_.begin(), others_.end(),
                         [&](const member& x) { return x.name == name; });
  if (it == others_.end() || it->incarnation != incarnation)
    return change::none;
  others_.erase(it);
  return change::left;
}

std::vector<member> member_table::live() const {
  std::vector<member> out = others_;
  out.insert(std::lower_bound(out.begin(), out.end(), self_.name,
                              [](const member& a, const std::string& n) { return a.name < n; }),
             self_);
  return out;
}

std::vector<std::string> member_table::live_names() const {
  std::vector<std::string> out;
  for (auto& m : live())
    out.push_back(m.name);
  return out;
}

const member* member_table::find(std::string_view name) const {
  if (name == self_.name)
    return &self_;
  for (auto& m : others_)
    if (m.name == name)
      return &m;
  return nullptr;
}

const member* member_table::find_by_address(std::string_view address) const {
  if (address == self_.address)
    return &self_;
  for (auto& m : others_)
    if (m.address == address)
      return &m;
  return nullptr;
}

std::vector<member> member_table::unknown_in(const std::vector<member>& reported) const {
  std::vector<member> out;
  for (auto& m : reported) {
    if (m.name.empty() || m.name == self_.name || m.address.empty())
      continue;
    auto* known = find(m.name);
    if (known && known->incarnation >= m.incarnation)
      continue;
    if (std::any_of(out.begin(), out.end(), [&](const member& x) { return x.name == m.name; }))
      continue;
    out.push_back(m);
  }
  return out;
}

std::uint64_t rendezvous_weight(std::string_view member, std::string_view key) {
  std::uint64_t h = 1469598103934665603ull; // FNV-1a over "member\0key"
  auto feed = [&h](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;
    }
  };
  feed(member);
  h ^= 0;
  h *= 1099511628211ull;
  feed(key);
  // splitmix64's finaliser: FNV alone leaves weights of similar names correlated.
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebull;
  h ^= h >> 31;
  return h;
}

std::vector<std::string> rendezvous_order(std::string_view key, std::vector<std::string> members) {
  std::sort(members.begin(), members.end(), [key](const std::string& a, const std::string& b) {
    auto wa = rendezvous_weight(a, key), wb = rendezvous_weight(b, key);
    return wa != wb ? wa > wb : a < b;
  });
  members.erase(std::unique(members.begin(), members.end()), members.end());
  return members;
}

std::string rendezvous_home(std::string_view key, const std::vector<std::string>& members) {
  const std::string* best = nullptr;
  std::uint64_t best_w = 0;
  for (auto& m : members) {
    auto w = rendezvous_weight(m, key);
    if (!best || w > best_w || (w == best_w && m < *best)) {
      best = &m;
      best_w = w;
    }
  }
  return best ? *best : std::string();
}

std::string place_call(const std::vector<member>& live, const std::string& self,
                       double spread_above, const std::map<std::string, std::uint32_t>& placed) {
  auto share = [&placed](const member& m) {
    auto extra = placed.count(m.name) ? placed.at(m.name) : 0u;
    return m.max_calls == 0 ? 1.0 : double(m.live_calls + extra) / double(m.max_calls);
  };
  const member* me = nullptr;
  for (auto& m : live)
    if (m.name == self)
      me = &m;
  if (!me || share(*me) < spread_above)
    return self;
  const member* best = nullptr;
  for (auto& m : live)
    if (m.name != self && share(m) < spread_above && (!best || share(m) < share(*best)))
      best = &m;
  return best ? best->name : self;
}

std::optional<std::vector<std::pair<std::string, std::uint16_t>>>
parse_addresses(std::string_view text) {
  std::vector<std::pair<std::string, std::uint16_t>> out;
  auto trim = [](std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
      s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
      s.remove_suffix(1);
    return s;
  };
  if (trim(text).empty())
    return out;
  while (true) {
    auto comma = text.find(',');
    auto item = trim(text.substr(0, comma));
    auto colon = item.rfind(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == item.size() ||
        item.size() - colon - 1 > 5)
      return std::nullopt;
    unsigned port = 0;
    for (char ch : item.substr(colon + 1)) {
      if (ch < '0' || ch > '9')
        return std::nullopt;
      port = port * 10 + unsigned(ch - '0');
    }
    if (port == 0 || port > 65535)
      return std::nullopt;
    auto host = item.substr(0, colon);
    if (host.find_first_of(" \t,") != std::string_view::npos)
      return std::nullopt;
    out.emplace_back(std::string(host), static_cast<std::uint16_t>(port));
    if (comma == std::string_view::npos)
      break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

} // namespace frontdesk::cluster
