#pragma once

#include <map>
#include <string>
#include <string_view>

namespace frontdesk::dashboard {

/// The dashboard's pages, scripts, styles and OpenAPI document, compiled in: name → bytes.
const std::map<std::string, std::string_view>& dashboard_assets();

/// The Content-Type for a file name (".js" → text/javascript, ...).
std::string content_type_for(std::string_view name);

} // namespace frontdesk::dashboard
