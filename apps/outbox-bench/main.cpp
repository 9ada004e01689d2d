// Prints the outbox's throughput against a fake Twilio on loopback (real PostgreSQL: a scratch
// database from the migrated template) and the reminder planner's time for many appointments.
//   frontdesk-outbox-bench [--messages N] [--threads T] [--batch B] [--plan N]
// Bounded: it sends N texts once and stops (or gives up after --max-seconds).
#include <chrono>
#include <cstdio>
#include <ctime>
#include <thread>

#include <CLI/CLI.hpp>
#include <date/tz.h>
#include <pqxx/pqxx>

#include "adapters/clock/clock.hpp"
#include "adapters/messaging/outbox_worker.hpp"
#include "adapters/messaging/sender.hpp"
#include "adapters/store/database.hpp"
#include "protocols/sms/reminder_plan.hpp"
#include "tests/support/fake_twilio.hpp"
#include "tests/support/scratch_database.hpp"

using namespace frontdesk;
using namespace std::chrono_literals;

int main(int argc, char** argv) {
  CLI::App app{"Measure the outbox (texts per second against a fake Twilio) and the reminder planner."};
  int messages = 5000, threads = 4, batch = 32, plan = 100000, max_seconds = 120;
  app.add_option("--messages", messages, "Texts to send")->capture_default_str()->check(CLI::Range(1, 1000000));
  app.add_option("--threads", threads, "Outbox threads")->capture_default_str()->check(CLI::Range(1, 64));
  app.add_option("--batch", batch, "Rows a thread claims at once")->capture_default_str()->check(CLI::Range(1, 1000));
  app.add_option("--plan", plan, "Appointments for the planner")->capture_default_str()->check(CLI::Range(0, 10000000));
  app.add_option("--max-seconds", max_seconds, "Give up after this long")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  // The planner: pure, one zone, appointments spread over a year at 15-minute steps.
  if (plan > 0) {
    auto* zone = sms::find_zone("America/Chicago");
    sms::reminder_settings rs;
    auto base = *parse_rfc3339("2026-01-05T15:00:00Z");
    auto now = *parse_rfc3339("2026-01-01T00:00:00Z");
    std::size_t planned = 0;
    // Wall time, and this thread's CPU time: on a shared machine the gap is time spent waiting
    // for a core.
    auto cpu_ms = [] {
      timespec ts{};
      ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
      return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
    };
    auto t0 = std::chrono::steady_clock::now();
    auto c0 = cpu_ms();
    for (int i = 0; i < plan; ++i)
      planned += sms::plan_reminders(*zone, rs, base + std::chrono::minutes(15 * (i % 35000)), now).size();
    auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    std::printf("reminder planner: %d appointments, %zu reminders planned in %.1f ms (%.1f ms of "
                "CPU; target < 200 ms)\n",
                plan, planned, ms, cpu_ms() - c0);
  }

  fixtures::scratch_database db;
  {
    pqxx::connection c(db.owner_dsn());
    pqxx::work tx(c);
    tx.exec("INSERT INTO businesses (id, name, phone_number, timezone) VALUES "
            "('00000000-0000-0000-0000-0000000000a1', 'Bench Dental', '+15550100001', 'America/Chicago')");
    tx.exec_params("INSERT INTO outbox (business_id, kind, payload, dedupe_key, next_attempt_at) "
                   "SELECT '00000000-0000-0000-0000-0000000000a1', 'sms', json_build_object('to', "
                   "'+1555' || lpad(i::text, 7, '0'), 'from', '+15550100001', 'body', "
                   "'Bench Dental: you''re booked for Thursday, March 5 at 2:00 PM. Reply C to cancel "
                   "or R to reschedule. #' || i), 'bench:' || i, '2026-01-01T00:00:00Z' "
                   "FROM generate_series(1, $1) i",
                   messages);
    tx.commit();
  }
  fixtures::fake_twilio fake;
  messaging::twilio_settings ts;
  ts.api_base_url = fake.base_url();
  ts.account_sid = fake.account_sid();
  ts.auth_token = fake.auth_token();
  auto sender = messaging::make_twilio_sender(ts);
  store::database app_db(db.app_dsn(), static_cast<std::size_t>(threads + 1));
  system_clock clk;
  messaging::worker_settings ws;
  ws.node = "bench";
  ws.threads = threads;
  ws.batch = batch;
  ws.poll = 10ms;
  messaging::outbox_worker worker(ws, app_db, *sender, clk);
  auto t0 = std::chrono::steady_clock::now();
  worker.start();
  auto deadline = t0 + std::chrono::seconds(max_seconds);
  while (worker.counts().sent.load() + worker.counts().failed.load() <
             static_cast<std::uint64_t>(messages) &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(5ms);
  auto secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  worker.stop();
  auto sent = worker.counts().sent.load();
  std::printf("outbox: %llu of %d texts sent in %.2f s = %.0f texts/s (%d threads, batch %d; "
              "target >= 500/s); the fake accepted %zu, %d create requests\n",
              static_cast<unsigned long long>(sent), messages, secs, static_cast<double>(sent) / secs,
              threads, batch, fake.messages().size(), fake.creates());
  return sent == static_cast<std::uint64_t>(messages) && fake.messages().size() == sent ? 0 : 1;
}
