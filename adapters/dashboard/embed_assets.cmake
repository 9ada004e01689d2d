# Writes OUT: a C++ file defining dashboard_assets() from the files in WEB_DIR (the pages, their
# scripts and styles) and the OpenAPI document, so the binary serves them with nothing beside it.
file(GLOB files "${WEB_DIR}/*")
list(SORT files)
set(body "")
foreach(f ${files})
  get_filename_component(name ${f} NAME)
  file(READ ${f} text)
  string(APPEND body "    {\"${name}\", R\"fdweb(${text})fdweb\"},\n")
endforeach()
file(WRITE "${OUT}.tmp" "// Generated from the dashboard's web/ folder at build time. Do not edit.\n#include \"adapters/dashboard/assets.hpp\"\n\nnamespace frontdesk::dashboard {\n\nconst std::map<std::string, std::string_view>& dashboard_assets() {\n  static const std::map<std::string, std::string_view> files = {\n${body}  };\n  return files;\n}\n\n} // namespace frontdesk::dashboard\n")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUT}.tmp" "${OUT}")
