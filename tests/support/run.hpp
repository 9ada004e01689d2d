#pragma once

#include <array>
#include <cstdio>
#include <string>

#include <sys/wait.h>

namespace frontdesk::fixtures {

struct run_result {
  int exit_code = -1;
  std::string output; // stdout and stderr together
};

/// Runs a shell command and collects its output and exit code.
inline run_result run(const std::string& command) {
  run_result r;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (!p)
    return r;
  std::array<char, 4096> buf;
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0)
    r.output.append(buf.data(), n);
  int status = ::pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

} // namespace frontdesk::fixtures
