#pragma once
// The business the scenario files (tests/scenarios/) are written for, and the instant they are
// written from: Wednesday, March 4th 2026, 3 PM in Chicago.
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "adapters/store/businesses.hpp"
#include "adapters/store/database.hpp"
#include "protocols/core/time.hpp"
#include "protocols/org/org_file.hpp"

namespace frontdesk::fixtures {

/// Loads tests/scenarios/org.json into the database at `app_dsn`.
inline ::testing::AssertionResult load_scenario_business(const std::string& app_dsn) {
  std::ifstream in(std::string(FRONTDESK_SOURCE_DIR) + "/tests/scenarios/org.json");
  std::stringstream text;
  text << in.rdbuf();
  auto org = org::parse_org_file(text.str());
  if (!org)
    return ::testing::AssertionFailure() << "org.json: " << org.error().message;
  store::database db(app_dsn, 1);
  auto loaded = store::businesses_repo(db).load(*org);
  if (!loaded)
    return ::testing::AssertionFailure() << "loading org.json: " << loaded.error().message;
  return ::testing::AssertionSuccess();
}

/// The node's clock for the scenarios.
inline sys_time scenario_now() { return *parse_rfc3339("2026-03-04T15:00:00-06:00"); }

} // namespace frontdesk::fixtures
