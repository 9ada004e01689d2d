#include "adapters/caller/bench.hpp"

#include <algorithm>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include <unistd.h>

#include <boost/json.hpp>

namespace frontdesk::caller {
namespace {

double pct(std::vector<double> v, double p) {
  if (v.empty())
    return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * double(v.size() - 1) + 0.5))];
}

std::string fmt(double v, int prec = 1) {
  std::ostringstream o;
  o.setf(std::ios::fixed);
  o.precision(prec);
  o << v;
  return o.str();
}

} // namespace

proc_usage read_proc_usage(int pid) {
  proc_usage u;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (std::getline(stat, line)) {
    // Fields after the command (which may hold spaces) start after the last ')'.
    std::istringstream rest(line.substr(line.rfind(')') + 2));
    std::string f;
    std::vector<std::string> fields;
    while (rest >> f)
      fields.push_back(f);
    if (fields.size() > 13) {
      double ticks = double(::sysconf(_SC_CLK_TCK));
      u.cpu_s = (std::stod(fields[11]) + std::stod(fields[12])) / ticks;
    }
  }
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0)
      u.rss_mb = std::stod(line.substr(6)) / 1024.0;
  return u;
}

bench_report run_bench(const bench_options& o) {
  bench_report rep;
  rep.calls = o.calls;
  std::mutex mtx;
  std::vector<sim_report> results;
  auto before = o.node_pid ? read_proc_usage(o.node_pid) : proc_usage{};
  auto self_before = read_proc_usage(static_cast<int>(::getpid()));
  rep.node_rss_before_mb = before.rss_mb;
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int i = 0; i < o.calls; ++i) {
    threads.emplace_back([&, i] {
      auto opt = o.call;
      opt.call_sid.clear();
      auto r = simulate_call(opt);
      std::lock_guard lk(mtx);
      if (!r) {
        ++rep.failed;
        if (rep.errors.size() < 5)
          rep.errors.push_back(r.error().message);
        return;
      }
      if (r->webhook_status != 200 || r->stream_sid.empty() ||
          r->ended.rfind("caller_hung_up", 0) != 0) {
        ++rep.failed;
        if (rep.errors.size() < 5)
          rep.errors.push_back("call " + std::to_string(i) + ": webhook " +
                               std::to_string(r->webhook_status) + ", ended " + r->ended);
      } else {
        ++rep.ok;
      }
      r->received_audio.clear();
      results.push_back(std::move(*r));
    });
    if (o.ramp_per_second > 0)
      std::this_thread::sleep_until(
          t0 + std::chrono::microseconds(static_cast<long>(1e6 * (i + 1) / o.ramp_per_second)));
  }
  if (o.node_pid && o.sample_rss_after.count() > 0) {
    std::this_thread::sleep_until(t0 + o.sample_rss_after);
    rep.node_rss_sampled_mb = read_proc_usage(o.node_pid).rss_mb;
  }
  for (auto& t : threads)
    t.join();
  rep.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::vector<double> first, late50, late99, send99, turns, barges;
  for (auto& r : results) {
    if (r.first_audio_ms >= 0)
      first.push_back(r.first_audio_ms);
    late50.push_back(r.recv_late_p50_ms);
    late99.push_back(r.recv_late_p99_ms);
    send99.push_back(r.send_late_p99_ms);
    rep.recv_late_max_ms = std::max(rep.recv_late_max_ms, r.recv_late_max_ms);
    rep.recv_late_over_20ms += r.recv_late_over_20ms;
    rep.frames_sent += r.frames_sent;
    turns.insert(turns.end(), r.turn_latency_ms.begin(), r.turn_latency_ms.end());
    barges.insert(barges.end(), r.barge_in_ms.begin(), r.barge_in_ms.end());
    rep.frames_received += r.media_received;
  }
  rep.turns_measured = turns.size();
  rep.turn_p50_ms = pct(turns, 0.5);
  rep.turn_p95_ms = pct(turns, 0.95);
  rep.turn_p99_ms = pct(turns, 0.99);
  rep.barge_ins_measured = barges.size();
  rep.barge_in_p50_ms = pct(barges, 0.5);
  rep.barge_in_p95_ms = pct(barges, 0.95);
  rep.first_audio_p50_ms = pct(first, 0.5);
  rep.first_audio_p95_ms = pct(first, 0.95);
  rep.recv_late_p50_ms = pct(late50, 0.5);
  rep.recv_late_p99_ms = pct(late99, 0.99);
  rep.send_late_p99_ms = pct(send99, 0.99);
  if (o.node_pid) {
    auto after = read_proc_usage(o.node_pid);
    rep.node_cpu_s = after.cpu_s - before.cpu_s;
    rep.node_rss_after_mb = after.rss_mb;
    auto frames = double(rep.frames_sent + rep.frames_received);
    if (frames > 0)
      rep.node_cpu_us_per_frame = rep.node_cpu_s * 1e6 / frames;
  }
  rep.load_cpu_s = read_proc_usage(static_cast<int>(::getpid())).cpu_s - self_before.cpu_s;
  return rep;
}

std::string bench_report::to_json() const {
  boost::json::array errs;
  for (auto& e : errors)
    errs.emplace_back(e);
  boost::json::object o{
      {"calls", calls},
      {"ok", ok},
      {"failed", failed},
      {"wall_s", wall_s},
      {"first_audio_ms", {{"p50", first_audio_p50_ms}, {"p95", first_audio_p95_ms}}},
      {"outbound_late_ms",
       {{"p50", recv_late_p50_ms}, {"p99", recv_late_p99_ms}, {"max", recv_late_max_ms},
        {"frames_over_20ms", recv_late_over_20ms}}},
      {"caller_send_late_p99_ms", send_late_p99_ms},
      {"turn_latency_ms", {{"n", turns_measured}, {"p50", turn_p50_ms}, {"p95", turn_p95_ms},
                           {"p99", turn_p99_ms}}},
      {"barge_in_ms", {{"n", barge_ins_measured}, {"p50", barge_in_p50_ms},
                       {"p95", barge_in_p95_ms}}},
      {"frames_sent", frames_sent},
      {"frames_received", frames_received},
      {"node_cpu_s", node_cpu_s},
      {"node_cpu_us_per_frame", node_cpu_us_per_frame},
      {"node_rss_mb", {{"before", node_rss_before_mb}, {"sampled", node_rss_sampled_mb},
                       {"after", node_rss_after_mb}}},
      {"load_generator_cpu_s", load_cpu_s},
      {"errors", errs}};
  return boost::json::serialize(o);
}

std::string bench_report::to_table() const {
  std::ostringstream t;
  t << "calls " << calls << " (ok " << ok << ", failed " << failed << ") in " << fmt(wall_s)
    << " s\n"
    << "first audio ms        p50 " << fmt(first_audio_p50_ms) << "  p95 "
    << fmt(first_audio_p95_ms) << "\n"
    << "outbound late ms      p50 " << fmt(recv_late_p50_ms, 2) << "  p99 "
    << fmt(recv_late_p99_ms, 2) << "  max " << fmt(recv_late_max_ms, 2) << "  (>20 ms: "
    << recv_late_over_20ms << " frames)\n"
    << "turn latency ms       p50 " << fmt(turn_p50_ms) << "  p95 " << fmt(turn_p95_ms)
    << "  p99 " << fmt(turn_p99_ms) << "  (" << turns_measured << " turns)\n"
    << "barge-in ms           p50 " << fmt(barge_in_p50_ms) << "  p95 " << fmt(barge_in_p95_ms)
    << "  (" << barge_ins_measured << ")\n"
    << "frames                sent " << frames_sent << "  received " << frames_received << "\n"
    << "node CPU              " << fmt(node_cpu_s, 2) << " s  (" << fmt(node_cpu_us_per_frame, 2)
    << " us per frame)\n"
    << "node RSS MB           before " << fmt(node_rss_before_mb) << "  sampled "
    << fmt(node_rss_sampled_mb) << "  after " << fmt(node_rss_after_mb) << "\n"
    << "load generator CPU    " << fmt(load_cpu_s, 2) << " s\n";
  for (auto& e : errors)
    t << "error: " << e << "\n";
  return t.str();
}

} // namespace frontdesk::caller
