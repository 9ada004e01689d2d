#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "adapters/speech/recognizer.hpp"

namespace frontdesk::speech {

std::vector<std::string> lm_words(const std::string& sentence) {
  std::vector<std::string> out;
  std::string w;
  for (char c : sentence) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalpha(u) || c == '\'') {
      w += static_cast<char>(std::tolower(u));
    } else if (!w.empty()) {
      out.push_back(w);
      w.clear();
    }
  }
  if (!w.empty())
    out.push_back(w);
  return out;
}

std::string build_arpa(const std::vector<std::string>& sentences) {
  using ngram = std::vector<std::string>;
  constexpr double discount = 0.5;
  std::map<ngram, double> c1, c2, c3;
  double total = 0;
  for (auto& s : sentences) {
    auto ws = lm_words(s);
    if (ws.empty())
      continue;
    ngram seq{"<s>"};
    seq.insert(seq.end(), ws.begin(), ws.end());
    seq.push_back("</s>");
    for (std::size_t i = 0; i < seq.size(); ++i) {
      if (i > 0) { // <s> is never predicted
        c1[{seq[i]}] += 1;
        total += 1;
      }
      if (i >= 1)
        c2[{seq[i - 1], seq[i]}] += 1;
      if (i >= 2)
        c3[{seq[i - 2], seq[i - 1], seq[i]}] += 1;
    }
  }
  std::map<ngram, double> p1, p2, p3, bo1, bo2;
  for (auto& [g, c] : c1)
    p1[g] = c / total;
  p1[{"<s>"}] = 0; // written as -99
  // Context counts and distinct followers.
  std::map<ngram, double> ctx1, ctx2;
  std::map<ngram, int> fol1, fol2;
  for (auto& [g, c] : c2) {
    ctx1[{g[0]}] += c;
    fol1[{g[0]}]++;
  }
  for (auto& [g, c] : c3) {
    ctx2[{g[0], g[1]}] += c;
    fol2[{g[0], g[1]}]++;
  }
  for (auto& [g, c] : c2)
    p2[g] = (c - discount) / ctx1[{g[0]}];
  for (auto& [g, c] : c3)
    p3[g] = (c - discount) / ctx2[{g[0], g[1]}];
  // The lower order's probability of w after h, following back-off.
  auto pbi = [&](const std::string& h, const std::string& w) {
    auto it = p2.find({h, w});
    if (it != p2.end())
      return it->second;
    auto b = bo1.find({h});
    return (b == bo1.end() ? 1.0 : b->second) * p1[{w}];
  };
  // Back-off weights make each context's distribution sum to one.
  for (auto& [h, cnt] : ctx1) {
    double left = discount * fol1[h] / cnt, seen_lower = 0;
    for (auto& [g, _] : p2)
      if (g[0] == h[0])
        seen_lower += p1[{g[1]}];
    bo1[h] = seen_lower < 1 ? left / (1 - seen_lower) : 1;
  }
  for (auto& [h, cnt] : ctx2) {
    double left = discount * fol2[h] / cnt, seen_lower = 0;
    for (auto& [g, _] : p3)
      if (g[0] == h[0] && g[1] == h[1])
        seen_lower += pbi(h[1], g[2]);
    bo2[h] = seen_lower < 1 ? left / (1 - seen_lower) : 1;
  }
  auto lg = [](double p) { return p <= 0 ? -99.0 : std::log10(p); };
  std::string out = "\\data\\\n";
  out += "ngram 1=" + std::to_string(p1.size()) + "\nngram 2=" + std::to_string(p2.size()) +
         "\nngram 3=" + std::to_string(p3.size()) + "\n\n\\1-grams:\n";
  char buf[64];
  auto num = [&](double v) {
    std::snprintf(buf, sizeof buf, "%.6f", v);
    return std::string(buf);
  };
  for (auto& [g, p] : p1) {
    out += num(lg(p)) + " " + g[0];
    if (g[0] != "</s>")
      out += " " + num(lg(bo1.count(g) ? bo1[g] : 1.0));
    out += "\n";
  }
  out += "\n\\2-grams:\n";
  for (auto& [g, p] : p2) {
    out += num(lg(p)) + " " + g[0] + " " + g[1];
    if (g[1] != "</s>")
      out += " " + num(lg(bo2.count(g) ? bo2[g] : 1.0));
    out += "\n";
  }
  out += "\n\\3-grams:\n";
  for (auto& [g, p] : p3)
    out += num(lg(p)) + " " + g[0] + " " + g[1] + " " + g[2] + "\n";
  out += "\n\\end\\\n";
  return out;
}

} // namespace frontdesk::speech
