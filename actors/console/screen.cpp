#include "actors/console/screen.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>

#include "actors/console/link.hpp"
#include "protocols/console/verbs.hpp"

// After CAF, and as functions: curses' macros (timeout, erase, move) would rename CAF's members.
#define NCURSES_NOMACROS
#include <curses.h>

namespace frontdesk::console {

namespace json = boost::json;
using proto::console_event;
using steady = std::chrono::steady_clock;

namespace {

struct call_row {
  std::string id, caller, node, status, started_at, last_text;
  std::string turns;
};

// What the screen shows; the loop below feeds it and draws it.
struct view {
  std::string who, node, status = "connecting";
  std::vector<call_row> calls; // in the order they started
  std::size_t selected = 0;
  std::string watched;
  std::vector<std::string> conversation; // the watched call's lines
  long long next_turn = 0;               // the next turn's n (a reconnect resends them all)
  std::string call_state;                // the watched call's: listening, thinking, speaking, on_hold
  std::string partial;                   // the caller's words so far in the current turn
  std::string input;                     // the command line being typed
  bool typing = false;
  std::string last_reply;

  void upsert(const json::object& o) {
    auto id = field(o, "call");
    if (id.empty())
      return;
    auto ended = o.if_contains("ended_at");
    auto it = std::find_if(calls.begin(), calls.end(), [&](const call_row& c) { return c.id == id; });
    if (ended && !ended->is_null()) {
      if (it != calls.end())
        calls.erase(it);
      return;
    }
    if (it == calls.end()) {
      calls.push_back({id, "", "", "", "", "", "0"});
      it = calls.end() - 1;
    }
    auto set = [&](std::string& dst, const char* key) {
      if (o.contains(key))
        dst = field(o, key);
    };
    set(it->caller, "caller");
    set(it->node, "node");
    set(it->status, "status");
    set(it->started_at, "started_at");
    set(it->last_text, "last_text");
    set(it->turns, "turns");
  }

  void event(const json::object& o) {
    auto type = field(o, "type");
    if (type == "call")
      upsert(o);
    else if (field(o, "call") == watched) {
      if (type == "turn") {
        auto* n = o.if_contains("n");
        if (!n || !n->is_int64() || n->as_int64() < next_turn)
          return;
        next_turn = n->as_int64() + 1;
        conversation.push_back(field(o, "role") + ": " + field(o, "text"));
        if (field(o, "role") == "caller")
          partial.clear(); // the words are final now
      } else if (type == "state") {
        call_state = field(o, "state");
      } else if (type == "partial") {
        partial = field(o, "text");
      } else if (type == "latency") {
        auto* ms = o.if_contains("first_frame_ms");
        char text[64];
        std::snprintf(text, sizeof text, "      (first reply frame after %.0f ms)",
                      ms && ms->is_number() ? ms->to_number<double>() : 0.0);
        conversation.push_back(text);
      } else if (type == "ended") {
        call_state = "ended";
        partial.clear();
        conversation.push_back("--- call ended: " + field(o, "status") + " (" +
                               field(o, "end_reason") + ")");
      }
    }
  }

  void draw() const {
    erase();
    int h = LINES, w = COLS;
    int left = std::max(20, w * 2 / 5);
    attron(A_REVERSE);
    mvhline(0, 0, ' ', w);
    mvprintw(0, 0, " frontdesk console  %s at %s  %zu live calls  %s", who.c_str(), node.c_str(),
             calls.size(), status.c_str());
    attroff(A_REVERSE);
    mvprintw(1, 0, "%-*s", left, " LIVE CALLS");
    mvprintw(1, left + 1, "CONVERSATION %s%s%s", watched.empty() ? "(Enter on a call)" : watched.c_str(),
             call_state.empty() ? "" : "  state: ", call_state.c_str());
    mvvline(1, left, '|', h - 4); // plain: it reads the same in a text capture
    for (std::size_t i = 0; i < calls.size() && static_cast<int>(i) + 2 < h - 3; ++i) {
      auto& c = calls[i];
      std::string line = (i == selected ? "> " : "  ") + c.caller + " " + c.node + " " + c.status +
                         " " + c.turns + "t " + c.last_text;
      if (i == selected)
        attron(A_BOLD);
      mvaddnstr(static_cast<int>(i) + 2, 0, line.c_str(), left - 1);
      if (i == selected)
        attroff(A_BOLD);
    }
    // The conversation's last lines, then what the caller is saying now.
    std::vector<const std::string*> shown;
    for (auto& line : conversation)
      shown.push_back(&line);
    std::string now = partial.empty() ? "" : "caller (speaking): " + partial + " ...";
    if (!now.empty())
      shown.push_back(&now);
    int rows = h - 5;
    int first = std::max(0, static_cast<int>(shown.size()) - rows);
    for (int r = 0; r < rows && first + r < static_cast<int>(shown.size()); ++r)
      mvaddnstr(r + 2, left + 2, shown[static_cast<std::size_t>(first + r)]->c_str(), w - left - 3);
    mvaddnstr(h - 3, 0, last_reply.c_str(), w - 1);
    mvprintw(h - 2, 0, "%s%s", typing ? "> " : "", typing ? input.c_str() : "");
    attron(A_REVERSE);
    mvhline(h - 1, 0, ' ', w);
    mvaddnstr(h - 1, 0,
              " Up/Down select  Enter watch  : command (say CALL TEXT, hold-ai CALL, ...)  "
              "s say to the watched call  q quit",
              w);
    attroff(A_REVERSE);
    if (typing)
      move(h - 2, 2 + static_cast<int>(input.size()));
    refresh();
  }
};

} // namespace

int run_screen(caf::actor_system& sys, caf::scoped_actor& self, const client_options& o) {
  link l(sys, self, o);
  view v;
  int n_cmd = 0;
  auto command = [&](const std::string& line) {
    l.send("u" + std::to_string(++n_cmd), line);
    for (auto& r : l.take_replies()) {
      v.last_reply = r.result + ": " + r.detail;
      if (line == "calls" && r.result == "done") {
        v.calls.clear();
        boost::system::error_code ec;
        auto d = json::parse(r.data, ec);
        if (!ec && d.is_array())
          for (auto& x : d.as_array())
            if (x.is_object())
              v.upsert(x.as_object());
      }
    }
  };
  auto connect = [&]() -> int {
    while (true) {
      auto w = l.login();
      if (w && w->refused.empty()) {
        v.who = w->email;
        v.node = w->node;
        v.status = "";
        command("calls");
        if (!v.watched.empty())
          command("watch " + v.watched);
        return 0;
      }
      if (w)
        return exit_refused;
      v.status = "no node answers; retrying";
      v.draw();
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  };
  ::setlocale(LC_ALL, "");
  initscr();
  cbreak();
  noecho();
  keypad(stdscr, TRUE);
  timeout(0);
  v.draw();
  if (int code = connect(); code != 0) {
    endwin();
    std::fprintf(stderr, "frontdesk console: the login was refused\n");
    return code;
  }
  std::uint64_t last_seq = 0, acked = 0;
  bool quit = false;
  while (!quit) {
    bool lost = false;
    self->receive(
        [&](const console_event& e) {
          if (!l.from_session(self->current_sender()))
            return;
          if (e.seq != 0) // 0: through the receiver, which acknowledges
            last_seq = e.seq;
          proto::for_each_event_line(e.json, [&](std::string_view line) {
            boost::system::error_code ec;
            auto j = json::parse(line, ec);
            if (!ec && j.is_object())
              v.event(j.as_object());
          });
        },
        [&](caf::down_msg& dm) {
          if (dm.source == l.session().address())
            lost = true;
        },
        caf::after(std::chrono::milliseconds(30)) >> [] {});
    if (last_seq > acked) {
      l.ack(last_seq);
      acked = last_seq;
    }
    if (lost) {
      v.status = "node " + v.node + " went away; reconnecting";
      v.draw();
      l.lost();
      last_seq = acked = 0;
      if (connect() != 0)
        break;
    }
    for (int ch = getch(); ch != ERR; ch = getch()) {
      if (v.typing) {
        if (ch == '\n' || ch == KEY_ENTER) {
          v.typing = false;
          auto line = std::exchange(v.input, "");
          if (!line.empty())
            command(line);
        } else if (ch == 27) {
          v.typing = false;
          v.input.clear();
        } else if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
          if (!v.input.empty())
            v.input.pop_back();
        } else if (ch >= 32 && ch < 256 && v.input.size() < max_line) {
          v.input += static_cast<char>(ch);
        }
        continue;
      }
      switch (ch) {
      case 'q':
        quit = true;
        break;
      case KEY_UP:
        if (v.selected > 0)
          --v.selected;
        break;
      case KEY_DOWN:
        if (v.selected + 1 < v.calls.size())
          ++v.selected;
        break;
      case '\n':
      case KEY_ENTER:
        if (v.selected < v.calls.size() && v.calls[v.selected].id != v.watched) {
          if (!v.watched.empty())
            command("unwatch " + v.watched);
          v.watched = v.calls[v.selected].id;
          v.conversation.clear();
          v.next_turn = 0;
          v.call_state.clear();
          v.partial.clear();
          command("watch " + v.watched);
        }
        break;
      case ':':
        v.typing = true;
        break;
      case 's':
        if (!v.watched.empty()) {
          v.typing = true;
          v.input = "say " + v.watched + " ";
        }
        break;
      default:
        break;
      }
    }
    v.selected = std::min(v.selected, v.calls.empty() ? 0 : v.calls.size() - 1);
    v.draw();
  }
  endwin();
  return exit_done;
}

} // namespace frontdesk::console
