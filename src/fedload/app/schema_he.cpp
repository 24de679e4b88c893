// [he] keys: homomorphic encryption of the clients' updates (fl.aggregation = "paillier").
#include "fedload/app/schema_sections.hpp"

namespace fedload::app {

void add_he_keys(ConfigSchema& s) {
  s.integer("he.key_bits", 2048, 1024, 8192,
            "fl.aggregation = \"paillier\": bits of the Paillier modulus n (even; 2048 or more for secrecy beyond the near term)");
  s.choice("he.keys", "seeded", {"seeded", "os"},
           "fl.aggregation = \"paillier\": where the key and the encryption nonces come from: seeded = from run.seed (reproducible, NOT secret: for measuring); os = the operating system's CSPRNG");
}

}  // namespace fedload::app
