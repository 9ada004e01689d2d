#pragma once

#include <string>

#include <pqxx/pqxx>

namespace frontdesk::store {

/// Deletes every hold that call `call_id` still has, inside the caller's transaction, and returns
/// how many went. One statement for every place a call lets go of its slot: a new hold replacing
/// the old one, an explicit release, the call's end and its final status callback.
int drop_call_holds(pqxx::work& tx, const std::string& call_id);

} // namespace frontdesk::store
