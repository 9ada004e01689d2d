// Shared by the messaging integration tests: a scratch database with one business (Chicago),
// a fake Twilio, the real Twilio client pointed at it, and a manual clock.
#pragma once

#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "adapters/clock/clock.hpp"
#include "adapters/messaging/outbox_worker.hpp"
#include "adapters/messaging/sender.hpp"
#include "adapters/store/appointments.hpp"
#include "adapters/store/database.hpp"
#include "adapters/store/messaging.hpp"
#include "tests/support/fake_twilio.hpp"
#include "tests/support/scratch_database.hpp"

namespace frontdesk::testing_messaging {

using namespace std::chrono_literals;

inline const std::string biz = "00000000-0000-0000-0000-0000000000a1";
inline const std::string biz_phone = "+15550100001";
inline const std::string other_biz = "00000000-0000-0000-0000-0000000000b1";
inline const std::string other_phone = "+15550100002";
inline const std::string customer = "+15557770001";

inline sys_time at(const char* s) { return *parse_rfc3339(s); }

class messaging_test : public ::testing::Test {
protected:
  void SetUp() override {
    exec("INSERT INTO businesses (id, name, phone_number, timezone, address) VALUES "
         "('" + biz + "', 'Bright Smile Dental', '" + biz_phone + "', 'America/Chicago', "
         "'12 Main St'), ('" + other_biz + "', 'Beta Clinic', '" + other_phone + "', 'UTC', '')");
    // Open 9-17 every weekday for slot offers.
    exec("INSERT INTO business_hours (business_id, weekday, opens, closes) SELECT '" + biz +
         "', d, '09:00', '17:00' FROM generate_series(0, 4) d");
  }

  void exec(const std::string& sql) {
    pqxx::connection c(db_.owner_dsn());
    pqxx::work tx(c);
    tx.exec(sql);
    tx.commit();
  }
  std::string row(const std::string& sql) { return db_.value(sql); }
  long long count(const std::string& sql) { return std::stoll(row(sql)); }

  messaging::twilio_settings twilio_settings() {
    messaging::twilio_settings s;
    s.api_base_url = fake_.base_url();
    s.account_sid = fake_.account_sid();
    s.auth_token = fake_.auth_token();
    s.timeout = 2000ms;
    return s;
  }

  messaging::worker_settings worker_settings(const std::string& node = "test-node") {
    messaging::worker_settings w;
    w.node = node;
    w.threads = 1;
    w.batch = 16;
    w.lease = 30s;
    w.retry.max_attempts = 4;
    w.retry.base = 1000ms;
    w.retry.cap = 60000ms;
    w.status_callback_url = "http://127.0.0.1:1/twilio/sms-status";
    return w;
  }

  store::appointment book(const char* start, const std::string& phone = customer) {
    store::booking_request r{{at(start), at(start) + 30min}, "Ann Lee", phone, "cleaning", "", "", "", true};
    auto a = store::appointments_repo(app_).book(biz, r, "", clock_.now());
    EXPECT_TRUE(a) << a.error().message;
    return *a;
  }

  fixtures::scratch_database db_;
  store::database app_{db_.app_dsn(), 4};
  fixtures::fake_twilio fake_;
  manual_clock clock_{at("2026-03-02T15:00:00Z")}; // Monday March 2nd 2026, 9 AM in Chicago
};

} // namespace frontdesk::testing_messaging
