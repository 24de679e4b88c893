// The config machinery: defaults, TOML files, --set, and each kind of error with its location.
#include <gtest/gtest.h>

#include "fedload/core/config.hpp"
#include "fedload/core/error.hpp"

namespace fedload {
namespace {

ConfigSchema test_schema() {
  ConfigSchema s;
  s.integer("fl.rounds", 20, 1, 100000, "rounds");
  s.real("train.lr", 1e-3, 1e-8, 10, "learning rate");
  s.boolean("output.overwrite", false, "overwrite");
  s.string("run.name", "fedload", "name");
  s.choice("train.optimizer", "adam", {"adam", "sgd"}, "optimizer");
  s.string_list("data.columns", {"load"}, "columns");
  s.real("privacy.dp.sigma", 1.0, 0, 100, "noise multiplier");
  return s;
}

// The message of the InputError `f` throws (fails the test if it throws nothing or another type).
template <typename F>
std::string input_error(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an InputError";
  return "";
}

TEST(Config, DefaultsComeFromTheSchema) {
  const auto schema = test_schema();
  Config c(schema);
  EXPECT_EQ(c.get_int("fl.rounds"), 20);
  EXPECT_DOUBLE_EQ(c.get_double("train.lr"), 1e-3);
  EXPECT_FALSE(c.get_bool("output.overwrite"));
  EXPECT_EQ(c.get_string("train.optimizer"), "adam");
  EXPECT_EQ(c.get_list("data.columns"), std::vector<std::string>{"load"});
  EXPECT_EQ(c.origin("fl.rounds"), "default");
}

TEST(Config, FileValuesOverrideDefaultsAndRememberTheirLine) {
  const auto schema = test_schema();
  Config c(schema);
  c.merge_toml("[fl]\nrounds = 7\n\n[train]\nlr = 1\noptimizer = \"sgd\"\n[privacy.dp]\nsigma = 2.5\n"
               "[data]\ncolumns = [\"a\", \"b\"]\n",
               "exp.toml");
  EXPECT_EQ(c.get_int("fl.rounds"), 7);
  EXPECT_DOUBLE_EQ(c.get_double("train.lr"), 1.0);  // an integer is accepted for a number
  EXPECT_EQ(c.get_string("train.optimizer"), "sgd");
  EXPECT_DOUBLE_EQ(c.get_double("privacy.dp.sigma"), 2.5);
  EXPECT_EQ(c.get_list("data.columns"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(c.origin("fl.rounds"), "exp.toml:2");
  EXPECT_EQ(c.origin("privacy.dp.sigma"), "exp.toml:8");
}

TEST(Config, UnknownKeyNamesFileLineAndSuggests) {
  const auto schema = test_schema();
  Config c(schema);
  const auto msg = input_error([&] { c.merge_toml("[fl]\nrounds = 3\nroundz = 4\n", "x.toml"); });
  EXPECT_NE(msg.find("x.toml:3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("fl.roundz"), std::string::npos) << msg;
  EXPECT_NE(msg.find("did you mean 'fl.rounds'"), std::string::npos) << msg;
}

TEST(Config, UnknownSectionIsAnError) {
  const auto schema = test_schema();
  Config c(schema);
  const auto msg = input_error([&] { c.merge_toml("[flx]\nrounds = 3\n", "x.toml"); });
  EXPECT_NE(msg.find("unknown config section [flx]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("x.toml:"), std::string::npos) << msg;
}

TEST(Config, WrongTypeNamesExpectedAndFound) {
  const auto schema = test_schema();
  Config c(schema);
  const auto msg = input_error([&] { c.merge_toml("[fl]\n\nrounds = \"many\"\n", "x.toml"); });
  EXPECT_NE(msg.find("x.toml:3"), std::string::npos) << msg;
  EXPECT_NE(msg.find("expected a integer"), std::string::npos) << msg;
  EXPECT_NE(msg.find("found a string"), std::string::npos) << msg;
  EXPECT_NE(input_error([&] { c.merge_toml("[fl]\nrounds = 2.5\n", "x.toml"); }).find("floating-point"),
            std::string::npos);
  EXPECT_NE(input_error([&] { c.merge_toml("[output]\noverwrite = 1\n", "x.toml"); }).find("boolean"),
            std::string::npos);
}

TEST(Config, OutOfRangeAndBadChoiceNameTheAllowedValues) {
  const auto schema = test_schema();
  Config c(schema);
  auto msg = input_error([&] { c.merge_toml("[fl]\nrounds = 0\n", "x.toml"); });
  EXPECT_NE(msg.find("x.toml:2: config key 'fl.rounds': value 0 is out of range (allowed: in [1, 100000])"),
            std::string::npos)
      << msg;
  msg = input_error([&] { c.merge_toml("[train]\noptimizer = \"rmsprop\"\n", "x.toml"); });
  EXPECT_NE(msg.find("one of \"adam\", \"sgd\""), std::string::npos) << msg;
  EXPECT_NE(input_error([&] { c.merge_toml("[train]\nlr = nan\n", "x.toml"); }).find("out of range"),
            std::string::npos);
}

TEST(Config, InvalidTomlReportsLineAndColumn) {
  const auto schema = test_schema();
  Config c(schema);
  const auto msg = input_error([&] { c.merge_toml("[fl]\nrounds = = 3\n", "x.toml"); });
  EXPECT_NE(msg.find("x.toml:2:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("invalid TOML"), std::string::npos) << msg;
}

TEST(Config, SetOverridesWithTheSameValidation) {
  const auto schema = test_schema();
  Config c(schema);
  c.merge_toml("[fl]\nrounds = 7\n", "x.toml");
  c.apply_set("fl.rounds=9");
  c.apply_set("train.optimizer=sgd");
  c.apply_set("run.name=\"my run\"");
  c.apply_set("data.columns=a,b,c");
  c.apply_set("output.overwrite=true");
  EXPECT_EQ(c.get_int("fl.rounds"), 9);
  EXPECT_EQ(c.origin("fl.rounds"), "--set");
  EXPECT_EQ(c.get_string("train.optimizer"), "sgd");
  EXPECT_EQ(c.get_string("run.name"), "my run");
  EXPECT_EQ(c.get_list("data.columns"), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(c.get_bool("output.overwrite"));
  EXPECT_NE(input_error([&] { c.apply_set("fl.rounds=abc"); }).find("cannot read 'abc' as a integer"),
            std::string::npos);
  EXPECT_NE(input_error([&] { c.apply_set("fl.rounds=0"); }).find("out of range"), std::string::npos);
  EXPECT_NE(input_error([&] { c.apply_set("fl.roundss=3"); }).find("did you mean 'fl.rounds'"),
            std::string::npos);
  EXPECT_NE(input_error([&] { c.apply_set("fl.rounds"); }).find("expected section.key=value"),
            std::string::npos);
  EXPECT_NE(input_error([&] { c.apply_set("output.overwrite=yes"); }).find("boolean"), std::string::npos);
}

TEST(Config, EffectiveTomlRoundTrips) {
  const auto schema = test_schema();
  Config a(schema);
  a.merge_toml("[fl]\nrounds = 11\n[train]\nlr = 0.25\n[privacy.dp]\nsigma = 3\n", "x.toml");
  a.apply_set("data.columns=x,y");
  Config b(schema);
  b.merge_toml(a.to_toml(), "effective");
  EXPECT_EQ(a.to_toml(), b.to_toml());
  EXPECT_EQ(b.get_int("fl.rounds"), 11);
  EXPECT_DOUBLE_EQ(b.get_double("privacy.dp.sigma"), 3.0);
  EXPECT_NE(a.to_toml().find("[privacy.dp]\nsigma = 3.0\n"), std::string::npos) << a.to_toml();
}

TEST(Config, MissingFileIsAnInputError) {
  const auto schema = test_schema();
  Config c(schema);
  EXPECT_NE(input_error([&] { c.merge_file("/nonexistent/x.toml"); }).find("/nonexistent/x.toml"),
            std::string::npos);
}

TEST(Config, SchemaRejectsBadDefaultsAndDuplicates) {
  ConfigSchema s;
  s.integer("a.b", 1, 0, 10, "x");
  EXPECT_THROW(s.integer("a.b", 1, 0, 10, "x"), Error);
  EXPECT_THROW(s.integer("a.c", 11, 0, 10, "x"), Error);
}

}  // namespace
}  // namespace fedload
