#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "actors/dialog/engine.hpp"
#include "adapters/llm/client.hpp"
#include "protocols/core/expected.hpp"

namespace frontdesk::dialog {

/// The functions the model may call: the calendar service's tools with their exact argument
/// names (check_slot, hold_slot, release_slot, book, find_appointment, cancel, reschedule,
/// lookup_knowledge, transfer) plus end_call, which the engine handles itself. transfer is
/// offered only when the business can take transfers.
std::vector<llm::tool_definition> receptionist_tools(bool can_transfer);

/// Checks a call the model made against its tool's schema and turns it into the calendar's
/// tool_call. A failure (llm_tool_unknown, llm_tool_bad_json, llm_tool_bad_args) says what was
/// wrong in words the model can act on. Times are normalised to the calendar's forms
/// (YYYY-MM-DD, HH:MM, YYYY-MM-DDTHH:MM). Pure.
expected<tool_call> validate_tool_call(const llm::tool_call& call, bool can_transfer);

} // namespace frontdesk::dialog
