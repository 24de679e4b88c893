// [he] keys: homomorphic encryption of the clients' updates (fl.aggregation = "paillier").
#include "fedload/app/schema_sections.hpp"

namespace fedload::app {

void add_he_keys(ConfigSchema& s) {
  s.integer("he.key_bits", 2048, 2048, 8192, "fl.aggregation = \"paillier\": bits of the Paillier modulus n (even)");
  s.choice("he.keys", "os", {"os", "seeded"},
           "fl.aggregation = \"paillier\": where the key and the encryption nonces come from: os = the operating system's CSPRNG; seeded = from run.seed (reproducible, NOT secret: for measuring only)");
}

}  // namespace fedload::app
