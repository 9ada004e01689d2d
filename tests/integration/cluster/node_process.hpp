#pragma once

// One `frontdesk serve` process of a test cluster on loopback (its own HTTP and cluster ports,
// a config file and a log in the test's directory), and small HTTP and file helpers.
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/integration/cluster/loopback.hpp"

namespace frontdesk::fixtures::cluster {

inline const std::string bin = FRONTDESK_BIN;

// GET http://127.0.0.1:port/path, the body ("" when the node does not answer within 1 s).
inline std::string http_get(std::uint16_t port, const std::string& path) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval tv{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    auto req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if (::send(fd, req.data(), req.size(), 0) == static_cast<ssize_t>(req.size())) {
      char buf[8192];
      ssize_t n;
      while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0)
        out.append(buf, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  auto body = out.find("\r\n\r\n");
  return body == std::string::npos ? "" : out.substr(body + 4);
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
    ++n;
  return n;
}

// One `frontdesk serve` process.
struct node_process {
  std::string name;
  std::uint16_t http = free_port();
  std::uint16_t cluster = free_port();
  std::string tls; // [cluster] TLS lines, or "insecure = true"
  std::string extra; // more [cluster] lines
  std::string speech = "echo"; // speech.mode
  std::string dialog;          // speech.dialog ("": the default)
  std::string sections;        // more sections, after [cluster] (e.g. [llm])
  pid_t pid = -1;
  std::string dir;

  std::string address() const { return "127.0.0.1:" + std::to_string(cluster); }
  std::string config_path() const { return dir + name + ".toml"; }
  std::string log_path() const { return dir + name + ".log"; }
  std::string log() const { return read_file(log_path()); }

  void write_config(const std::string& seeds) const {
    std::ofstream(config_path())
        << "[node]\nname = \"" << name << "\"\nlisten = \"127.0.0.1:" << http
        << "\"\npublic_url = \"http://127.0.0.1:" << http << "\"\ndrain_seconds = 1\n"
        << "[scheduler]\nrealtime_priority = 0\n"
        << "[speech]\nmode = \"" << speech << "\"\nrecordings_dir = \"\"\n"
        << (dialog.empty() ? "" : "dialog = \"" + dialog + "\"\n")
        << "[cluster]\nlisten = \"" << address() << "\"\nseeds = \"" << seeds << "\"\n"
        << "orphan_grace_ms = 500\n"
        << tls << "\n" << extra << "\n" << sections << "\n";
  }

  void start(const std::string& dsn, const std::string& seeds) {
    write_config(seeds);
    pid = ::fork();
    if (pid == 0) {
      int fd = ::open(log_path().c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      ::dup2(fd, 1);
      ::dup2(fd, 2);
      ::setenv("DATABASE_URL", dsn.c_str(), 1);
      ::setenv("TWILIO_AUTH_TOKEN", "cluster-test-token", 1);
      auto cfg = config_path();
      ::execl(bin.c_str(), bin.c_str(), "--config", cfg.c_str(), "serve", nullptr);
      ::_exit(127);
    }
  }

  bool ready() const { return http_get(http, "/health").size() > 0; }

  // frontdesk_cluster_members as this node reports it; -1 when it does not answer.
  int members() const {
    auto m = http_get(http, "/metrics");
    auto at = m.find("\nfrontdesk_cluster_members ");
    if (at == std::string::npos)
      return -1;
    return std::stoi(m.substr(at + 27));
  }

  void signal(int sig) const {
    if (pid > 0)
      ::kill(pid, sig);
  }

  int stop(int sig = SIGTERM) {
    if (pid <= 0)
      return -1;
    ::kill(pid, sig);
    int status = 0;
    ::waitpid(pid, &status, 0);
    pid = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  }

  ~node_process() {
    if (pid > 0) {
      ::kill(pid, SIGCONT);
      stop(SIGKILL);
    }
  }
};

} // namespace frontdesk::fixtures::cluster
