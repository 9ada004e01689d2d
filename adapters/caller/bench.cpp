#include "adapters/caller/bench.hpp"
#include "adapters/caller/proc_text.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include <filesystem>
#include <limits>

#include <unistd.h>

#include <boost/json.hpp>

#include "adapters/http/http.hpp"
#include "protocols/audio/mulaw.hpp"

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

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

} // namespace

double read_machine_steal_s() {
  auto ticks = parse_proc_stat_steal_ticks(read_text("/proc/stat"));
  return ticks < 0 ? -1 : ticks / double(::sysconf(_SC_CLK_TCK));
}

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
  std::error_code ec;
  int fds = 0;
  for (std::filesystem::directory_iterator it("/proc/" + std::to_string(pid) + "/fd", ec), end;
       !ec && it != end; it.increment(ec))
    ++fds;
  if (!ec)
    u.fds = fds;
  // Threads that ended before now take their waits with them: the node's stay for its life.
  // Threads on spare time (SCHED_IDLE, the recordings) wait by design and are left out.
  constexpr int sched_fifo = 1, sched_rr = 2, sched_idle = 5;
  double wait = 0;
  bool any = false;
  int realtime = 0;
  bool listed = false;
  for (std::filesystem::directory_iterator it("/proc/" + std::to_string(pid) + "/task", ec), end;
       !ec && it != end; it.increment(ec)) {
    auto task = it->path().string();
    auto policy = parse_stat_policy(read_text(task + "/stat"));
    listed = true;
    if (policy == sched_fifo || policy == sched_rr)
      ++realtime;
    if (policy == sched_idle)
      continue;
    auto w = parse_schedstat_wait_s(read_text(task + "/schedstat"));
    if (w >= 0) {
      wait += w;
      any = true;
    }
  }
  if (any)
    u.cpu_wait_s = wait;
  if (listed)
    u.realtime_threads = realtime;
  return u;
}

namespace {

std::string scrape_metrics(const std::string& base_url) {
  auto base = base_url;
  while (!base.empty() && base.back() == '/')
    base.pop_back();
  auto r = http::fetch("GET", base + "/metrics", {}, "", std::chrono::seconds(5));
  return r && r->status == 200 ? r->body : "";
}

// The value of an unlabelled gauge or counter in the text format, or -1.
double metric_value(const std::string& text, const std::string& name) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(name + " ", 0) == 0) {
      try {
        return std::stod(line.substr(name.size() + 1));
      } catch (const std::exception&) {
        return -1;
      }
    }
  return -1;
}

} // namespace

bench_report run_bench(const bench_options& options) {
  auto opts = options;
  split_base_urls(opts.call); // the node's metrics are read from the first
  const auto& o = opts;
  bench_report rep;
  rep.calls = o.calls;
  std::mutex mtx;
  std::vector<sim_report> results;
  // Two io threads for all the callers, each also their media clock: the load generator stays
  // small.
  auto ws_pool = std::make_shared<http::ws_client_pool>(2);
  if (o.soak.count() > 0) {
    // A soak's baseline is taken warm: every caller places one call first, so that pools and
    // caches have grown to their working size (what must not grow is what comes after).
    std::vector<std::thread> warm;
    for (int i = 0; i < o.calls; ++i)
      warm.emplace_back([&] {
        auto opt = o.each.empty() ? o.call : o.each[static_cast<std::size_t>(i) % o.each.size()];
        opt.ws_pool = ws_pool;
        (void)simulate_call(opt);
      });
    for (auto& t : warm)
      t.join();
    for (int i = 0; i < 50 && metric_value(scrape_metrics(o.call.base_url), "frontdesk_calls_live") > 0; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  auto before = o.node_pid ? read_proc_usage(o.node_pid) : proc_usage{};
  auto self_before = read_proc_usage(static_cast<int>(::getpid()));
  auto steal_before = read_machine_steal_s();
  rep.node_rss_before_mb = before.rss_mb;
  rep.node_fds_before = before.fds;
  rep.node_rss_peak_mb = before.rss_mb;
  rep.node_fds_peak = before.fds;
  auto metrics_before = scrape_metrics(o.call.base_url);
  // A cluster run (several base URLs): each node's metrics too, to add up what they all saw.
  std::vector<std::string> nodes{o.call.base_url};
  nodes.insert(nodes.end(), o.call.more_base_urls.begin(), o.call.more_base_urls.end());
  std::vector<std::string> nodes_before;
  for (auto& n : nodes)
    nodes_before.push_back(scrape_metrics(n));
  const char* runtime_metric = "frontdesk_turn_runtime_ms";
  const char* runtime_own_metric = "frontdesk_turn_runtime_own_ms";
  auto t0 = std::chrono::steady_clock::now();
  auto soak_end = t0 + o.soak;
  std::atomic<bool> done{false};
  std::thread sampler;
  if (o.node_pid)
    sampler = std::thread([&] {
      while (!done) {
        auto u = read_proc_usage(o.node_pid);
        auto live = metric_value(scrape_metrics(o.call.base_url), "frontdesk_calls_live");
        {
          std::lock_guard lk(mtx);
          rep.node_calls_live_peak =
              std::max(rep.node_calls_live_peak, static_cast<std::uint64_t>(std::max(0.0, live)));
          rep.node_rss_peak_mb = std::max(rep.node_rss_peak_mb, u.rss_mb);
          rep.node_fds_peak = std::max(rep.node_fds_peak, u.fds);
        }
        for (int i = 0; i < 10 && !done; ++i)
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    });
  std::vector<std::thread> threads;
  for (int i = 0; i < o.calls; ++i) {
    threads.emplace_back([&, i] {
      do {
        auto opt = o.each.empty() ? o.call : o.each[static_cast<std::size_t>(i) % o.each.size()];
        opt.ws_pool = ws_pool;
        opt.call_sid.clear();
        if (nodes.size() > 1) {
          // A round-robin balancer: each caller starts at the next node, then the ones after.
          auto k = static_cast<std::size_t>(i) % nodes.size();
          opt.base_url = nodes[k];
          opt.more_base_urls.clear();
          for (std::size_t j = 1; j < nodes.size(); ++j)
            opt.more_base_urls.push_back(nodes[(k + j) % nodes.size()]);
        }
        auto r = simulate_call(opt);
        std::lock_guard lk(mtx);
        ++rep.calls_placed;
        if (!r) {
          ++rep.failed;
          if (rep.errors.size() < 5)
            rep.errors.push_back(r.error().message);
          continue;
        }
        // A call ends well when the caller hangs up, or (in a scenario that says goodbye) when
        // the receptionist ends it normally with every turn answered.
        bool ended_well = r->ended.rfind("caller_hung_up", 0) == 0 ||
                          (o.node_may_hang_up && r->ended == "server_closed:1000:call ended" &&
                           r->turns_unanswered == 0);
        if (r->webhook_status != 200 || r->stream_sid.empty() || !ended_well) {
          ++rep.failed;
          if (rep.errors.size() < 5)
            rep.errors.push_back("call " + std::to_string(i) + ": webhook " +
                                 std::to_string(r->webhook_status) + ", ended " + r->ended);
        } else {
          ++rep.ok;
        }
        rep.turns_unanswered += r->turns_unanswered;
        r->received_audio.clear();
        results.push_back(std::move(*r));
      } while (std::chrono::steady_clock::now() < soak_end);
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
  done = true;
  if (sampler.joinable())
    sampler.join();
  // The node finishes each call after the caller hangs up: wait for it before reading again.
  auto metrics_after = scrape_metrics(o.call.base_url);
  for (auto until = std::chrono::steady_clock::now() + o.settle;
       !metrics_after.empty() && metric_value(metrics_after, "frontdesk_calls_live") > 0 &&
       std::chrono::steady_clock::now() < until;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    metrics_after = scrape_metrics(o.call.base_url);
  }
  // Then for what the ended calls still hold to be let go: recordings finish encoding on a
  // low-priority worker after the call, so their files close a little later under load.
  if (o.node_pid && rep.node_fds_before >= 0)
    for (auto until = std::chrono::steady_clock::now() + o.settle;
         read_proc_usage(o.node_pid).fds > rep.node_fds_before + 2 &&
         std::chrono::steady_clock::now() < until;)
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
  if (!metrics_after.empty())
    rep.node_calls_live_after =
        static_cast<std::uint64_t>(std::max(0.0, metric_value(metrics_after, "frontdesk_calls_live")));
  auto delta = [&](const char* name) {
    auto a = metric_value(metrics_after, name), b = metric_value(metrics_before, name);
    return a < 0 ? std::uint64_t{0} : static_cast<std::uint64_t>(a - std::max(0.0, b));
  };
  rep.stt_utterances = delta("frontdesk_stt_utterances_total");
  rep.stt_rejected = delta("frontdesk_stt_rejected_total");
  rep.stt_unavailable = delta("frontdesk_stt_unavailable_total");
  if (metric_value(metrics_after, "frontdesk_calls_booked_total") >= 0)
    rep.bookings_made = static_cast<std::int64_t>(delta("frontdesk_calls_booked_total"));
  rep.bookings_expected = o.expected_bookings;
  {
    // A histogram over the run: after less before, summed over a cluster's nodes bucket by
    // bucket (a node that no longer answers is left out).
    using histogram = std::vector<std::pair<double, std::uint64_t>>;
    auto over_run = [&](const char* metric) {
      auto h0 = parse_histogram(metrics_before, metric);
      auto h1 = parse_histogram(metrics_after, metric);
      if (nodes.size() > 1) {
        auto add = [](histogram& sum, const histogram& h) {
          for (auto& [le, n] : h) {
            auto it = std::find_if(sum.begin(), sum.end(), [&](auto& b) { return b.first == le; });
            if (it == sum.end())
              sum.emplace_back(le, n);
            else
              it->second += n;
          }
        };
        h0.clear();
        h1.clear();
        for (std::size_t k = 0; k < nodes.size(); ++k) {
          auto after = k == 0 ? metrics_after : scrape_metrics(nodes[k]);
          if (after.empty())
            continue;
          add(h0, parse_histogram(nodes_before[k], metric));
          add(h1, parse_histogram(after, metric));
        }
        std::sort(h0.begin(), h0.end());
        std::sort(h1.begin(), h1.end());
      }
      return std::pair{std::move(h0), std::move(h1)};
    };
    auto [h0, h1] = over_run(runtime_metric);
    rep.runtime_p50_ms = histogram_quantile(h0, h1, 0.50, &rep.runtime_turns);
    rep.runtime_p95_ms = histogram_quantile(h0, h1, 0.95);
    rep.runtime_p99_ms = histogram_quantile(h0, h1, 0.99);
    // The same less the vendors' waits (a node without that histogram reports none).
    auto [o0, o1] = over_run(runtime_own_metric);
    if (!o1.empty()) {
      rep.runtime_own_p50_ms = histogram_quantile(o0, o1, 0.50, &rep.runtime_own_turns);
      rep.runtime_own_p95_ms = histogram_quantile(o0, o1, 0.95);
      rep.runtime_own_p99_ms = histogram_quantile(o0, o1, 0.99);
    }
    // Where that time went (this node's stages; a cluster run leaves them out).
    if (nodes.size() == 1)
      for (const char* name : {"recognise", "decide", "synthesise", "send"}) {
        auto label = std::string("stage=\"") + name + "\"";
        auto s0 = parse_histogram(metrics_before, "frontdesk_turn_stage_ms", label);
        auto s1 = parse_histogram(metrics_after, "frontdesk_turn_stage_ms", label);
        if (!s1.empty())
          rep.runtime_stages.push_back(
              {name, histogram_quantile(s0, s1, 0.50), histogram_quantile(s0, s1, 0.95)});
      }
  }
  std::vector<double> first, late50, late99, send99, turns, barges, gaps;
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
    if (r.resumes > 0)
      ++rep.resumed;
    gaps.insert(gaps.end(), r.resume_gap_ms.begin(), r.resume_gap_ms.end());
    rep.frames_received += r.bytes_received / audio::frame_samples; // 20 ms frames, not messages
  }
  rep.turns_measured = turns.size();
  rep.turn_p50_ms = pct(turns, 0.5);
  rep.turn_p95_ms = pct(turns, 0.95);
  rep.turn_p99_ms = pct(turns, 0.99);
  rep.barge_ins_measured = barges.size();
  rep.barge_in_p50_ms = pct(barges, 0.5);
  rep.barge_in_p95_ms = pct(barges, 0.95);
  rep.resume_gap_p50_ms = pct(gaps, 0.5);
  rep.resume_gap_p95_ms = pct(gaps, 0.95);
  rep.resume_gap_max_ms = gaps.empty() ? 0 : *std::max_element(gaps.begin(), gaps.end());
  rep.first_audio_p50_ms = pct(first, 0.5);
  rep.first_audio_p95_ms = pct(first, 0.95);
  rep.recv_late_p50_ms = pct(late50, 0.5);
  rep.recv_late_p99_ms = pct(late99, 0.99);
  rep.send_late_p99_ms = pct(send99, 0.99);
  if (o.node_pid) {
    auto after = read_proc_usage(o.node_pid);
    rep.node_cpu_s = after.cpu_s - before.cpu_s;
    if (before.cpu_wait_s >= 0 && after.cpu_wait_s >= 0)
      rep.node_cpu_wait_s = std::max(0.0, after.cpu_wait_s - before.cpu_wait_s);
    rep.node_rss_after_mb = after.rss_mb;
    rep.node_fds_after = after.fds;
    rep.node_realtime_threads = after.realtime_threads;
    auto frames = double(rep.frames_sent + rep.frames_received);
    if (frames > 0)
      rep.node_cpu_us_per_frame = rep.node_cpu_s * 1e6 / frames;
    double call_s = 0;
    for (auto& r : results)
      call_s += r.duration_ms / 1000.0;
    if (call_s > 0)
      rep.node_cpu_per_call = rep.node_cpu_s / call_s;
    if (rep.node_calls_live_peak > 0)
      rep.node_rss_per_call_mb = std::max(0.0, rep.node_rss_peak_mb - rep.node_rss_before_mb) /
                                 double(rep.node_calls_live_peak);
  }
  rep.load_cpu_s = read_proc_usage(static_cast<int>(::getpid())).cpu_s - self_before.cpu_s;
  if (auto steal_after = read_machine_steal_s(); steal_before >= 0 && steal_after >= 0)
    rep.machine_steal_s = steal_after - steal_before;
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
                           {"p99", turn_p99_ms}, {"unanswered", turns_unanswered}}},
      {"runtime_added_ms", {{"n", runtime_turns}, {"p50", runtime_p50_ms},
                            {"p95", runtime_p95_ms}, {"p99", runtime_p99_ms}}},
      {"runtime_own_ms", {{"n", runtime_own_turns}, {"p50", runtime_own_p50_ms},
                          {"p95", runtime_own_p95_ms}, {"p99", runtime_own_p99_ms}}},
      {"calls_placed", calls_placed},
      {"recogniser", {{"utterances", stt_utterances}, {"rejected", stt_rejected},
                      {"no_decoder", stt_unavailable}}},
      {"barge_in_ms", {{"n", barge_ins_measured}, {"p50", barge_in_p50_ms},
                       {"p95", barge_in_p95_ms}}},
      {"bookings", {{"made", bookings_made}, {"expected", bookings_expected}}},
      {"resumed", {{"calls", resumed}, {"gap_p50_ms", resume_gap_p50_ms},
                   {"gap_p95_ms", resume_gap_p95_ms}, {"gap_max_ms", resume_gap_max_ms}}},
      {"frames_sent", frames_sent},
      {"frames_received", frames_received},
      {"node_cpu_s", node_cpu_s},
      {"node_cpu_us_per_frame", node_cpu_us_per_frame},
      {"node_cpu_per_call", node_cpu_per_call},
      {"node_rss_per_call_mb", node_rss_per_call_mb},
      {"node_rss_mb", {{"before", node_rss_before_mb}, {"sampled", node_rss_sampled_mb},
                       {"peak", node_rss_peak_mb}, {"after", node_rss_after_mb}}},
      {"node_fds", {{"before", node_fds_before}, {"peak", node_fds_peak},
                    {"after", node_fds_after}}},
      {"node_calls_live_after", node_calls_live_after},
      {"node_calls_live_peak", node_calls_live_peak},
      {"load_generator_cpu_s", load_cpu_s},
      {"node_cpu_wait_s", node_cpu_wait_s},
      {"machine_steal_s", machine_steal_s},
      {"node_realtime_threads", node_realtime_threads},
      {"errors", errs}};
  boost::json::object stages;
  for (auto& st : runtime_stages)
    stages[st.name] = {{"p50", st.p50_ms}, {"p95", st.p95_ms}};
  o["runtime_stages_ms"] = std::move(stages);
  return boost::json::serialize(o);
}

std::string bench_report::to_table() const {
  std::ostringstream t;
  t << "calls " << calls_placed << " by " << calls << " callers (ok " << ok << ", failed "
    << failed << ") in " << fmt(wall_s) << " s; at most " << node_calls_live_peak
    << " live at once\n"
    << "first audio ms        p50 " << fmt(first_audio_p50_ms) << "  p95 "
    << fmt(first_audio_p95_ms) << "\n"
    << "outbound late ms      p50 " << fmt(recv_late_p50_ms, 2) << "  p99 "
    << fmt(recv_late_p99_ms, 2) << "  max " << fmt(recv_late_max_ms, 2) << "  (>20 ms: "
    << recv_late_over_20ms << " frames)\n"
    << "turn latency ms       p50 " << fmt(turn_p50_ms) << "  p95 " << fmt(turn_p95_ms)
    << "  p99 " << fmt(turn_p99_ms) << "  (" << turns_measured << " turns, "
    << turns_unanswered << " unanswered)\n"
    << "runtime added ms      p50 " << fmt(runtime_p50_ms, 2) << "  p95 " << fmt(runtime_p95_ms, 2)
    << "  p99 " << fmt(runtime_p99_ms, 2) << "  (" << runtime_turns
    << " turns; end of turn -> first frame, node-side)\n"
    << "  of it the node's    p50 " << fmt(runtime_own_p50_ms, 2) << "  p95 "
    << fmt(runtime_own_p95_ms, 2) << "  p99 " << fmt(runtime_own_p99_ms, 2) << "  ("
    << runtime_own_turns << " turns; less the waits on vendors' answers)\n";
  if (!runtime_stages.empty()) {
    t << "  by stage ms        ";
    for (auto& st : runtime_stages)
      t << " " << st.name << " " << fmt(st.p50_ms, 2) << " / " << fmt(st.p95_ms, 2);
    t << "  (p50 / p95)\n";
  }
  t << "recogniser            " << stt_utterances << " utterances, " << stt_rejected
    << " rejected, " << stt_unavailable << " without a free decoder\n"
    << "barge-in ms           p50 " << fmt(barge_in_p50_ms) << "  p95 " << fmt(barge_in_p95_ms)
    << "  (" << barge_ins_measured << ")\n"
    << "resumed calls         " << resumed << " (caller's gap ms p50 " << fmt(resume_gap_p50_ms)
    << "  p95 " << fmt(resume_gap_p95_ms) << "  max " << fmt(resume_gap_max_ms) << ")\n"
    << "bookings              made "
    << (bookings_made >= 0 ? std::to_string(bookings_made) : std::string("(unknown)"))
    << (bookings_expected >= 0 ? ", expected " + std::to_string(bookings_expected) +
                                     (bookings_as_expected() ? "" : "  MISMATCH")
                               : std::string("  (no expectation)"))
    << "\n"
    << "frames                sent " << frames_sent << "  received " << frames_received << "\n"
    << "node CPU              " << fmt(node_cpu_s, 2) << " s  (" << fmt(node_cpu_us_per_frame, 2)
    << " us per frame, " << fmt(100 * node_cpu_per_call, 2) << "% of a core per live call)\n"
    << "node RSS MB           before " << fmt(node_rss_before_mb);
  if (node_rss_sampled_mb > 0)
    t << "  sampled " << fmt(node_rss_sampled_mb);
  t << "  peak " << fmt(node_rss_peak_mb) << "  after " << fmt(node_rss_after_mb) << "  ("
    << fmt(node_rss_per_call_mb, 2) << " per live call at the peak)\n"
    << "node open files       before " << node_fds_before << "  peak " << node_fds_peak
    << "  after " << node_fds_after << "  (live calls after: " << node_calls_live_after << ")\n"
    << "load generator CPU    " << fmt(load_cpu_s, 2) << " s\n";
  if (node_cpu_wait_s >= 0 || machine_steal_s >= 0) {
    t << "CPU contention        node threads waited "
      << (node_cpu_wait_s >= 0 ? fmt(node_cpu_wait_s, 2) + " s" : std::string("(unknown)"))
      << " for a free core";
    if (node_cpu_wait_s >= 0 && node_cpu_s > 0)
      t << " (" << fmt(node_cpu_wait_s / node_cpu_s, 2) << " s per CPU second)";
    t << "; machine steal "
      << (machine_steal_s >= 0 ? fmt(machine_steal_s, 2) + " s" : std::string("(unknown)"))
      << "\n";
  }
  if (node_realtime_threads >= 0)
    t << "node scheduling       " << node_realtime_threads
      << " threads at real-time priority (the voice's; 0: scheduler.realtime_priority off or "
         "not permitted)\n";
  for (auto& e : errors)
    t << "error: " << e << "\n";
  return t.str();
}

} // namespace frontdesk::caller
