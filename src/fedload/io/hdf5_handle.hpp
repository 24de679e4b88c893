#pragma once
// Owning wrappers for HDF5 ids: each kind of id is closed by its own H5?close function, so the
// wrapper is a template over that function. Move-only; an empty handle holds H5I_INVALID_HID.
#include <utility>

#include <hdf5.h>

namespace fedload::io {

template <herr_t (*CloseFn)(hid_t)>
class Hdf5Handle {
 public:
  Hdf5Handle() noexcept = default;
  explicit Hdf5Handle(hid_t id) noexcept : id_(id) {}
  Hdf5Handle(Hdf5Handle&& other) noexcept : id_(std::exchange(other.id_, H5I_INVALID_HID)) {}
  Hdf5Handle& operator=(Hdf5Handle&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
    }
    return *this;
  }
  Hdf5Handle(const Hdf5Handle&) = delete;
  Hdf5Handle& operator=(const Hdf5Handle&) = delete;
  ~Hdf5Handle() { reset(); }

  hid_t get() const noexcept { return id_; }
  bool valid() const noexcept { return id_ >= 0; }
  explicit operator bool() const noexcept { return valid(); }

  // closes now and reports HDF5's status (a destructor cannot); an empty handle closes fine.
  herr_t close() noexcept {
    herr_t status = 0;
    if (id_ >= 0) status = CloseFn(id_);
    id_ = H5I_INVALID_HID;
    return status;
  }
  void reset() noexcept { (void)close(); }

 private:
  hid_t id_ = H5I_INVALID_HID;
};

using FileHandle = Hdf5Handle<H5Fclose>;
using GroupHandle = Hdf5Handle<H5Gclose>;
using DatasetHandle = Hdf5Handle<H5Dclose>;
using DataspaceHandle = Hdf5Handle<H5Sclose>;
using DatatypeHandle = Hdf5Handle<H5Tclose>;
using PropertyListHandle = Hdf5Handle<H5Pclose>;
using AttributeHandle = Hdf5Handle<H5Aclose>;

}  // namespace fedload::io
