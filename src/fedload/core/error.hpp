#pragma once
// fedload's one error type. Bad input (config, data, command line) is a user error and ends
// the program with exit code 2; anything else that goes wrong at run time exits with 1.
#include <stdexcept>
#include <string>

#include <fmt/format.h>

namespace fedload {

enum class ErrorKind {
  kInput,    // bad config, data or command line: exit 2
  kRuntime,  // a failure while running (I/O, library error): exit 1
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, std::string message) : std::runtime_error(std::move(message)), kind_(kind) {}
  ErrorKind kind() const noexcept { return kind_; }
  int exit_code() const noexcept { return kind_ == ErrorKind::kInput ? 2 : 1; }

 private:
  ErrorKind kind_;
};

// Thrown for bad user input; exit code 2.
class InputError : public Error {
 public:
  explicit InputError(std::string message) : Error(ErrorKind::kInput, std::move(message)) {}
};

template <typename... Args>
[[noreturn]] void throw_input_error(fmt::format_string<Args...> f, Args&&... args) {
  throw InputError(fmt::format(f, std::forward<Args>(args)...));
}

template <typename... Args>
[[noreturn]] void throw_runtime_error(fmt::format_string<Args...> f, Args&&... args) {
  throw Error(ErrorKind::kRuntime, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace fedload
