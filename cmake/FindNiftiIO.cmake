# Debian's NIFTIConfig.cmake points at /usr/lib/libznz.so.3.0.0, which the package installs
# under the multiarch folder, so find the NIfTI-1 I/O library (libnifti2-dev) directly.
find_path(NIFTIIO_INCLUDE_DIR nifti1_io.h PATH_SUFFIXES nifti)
find_library(NIFTIIO_LIBRARY niftiio)
find_library(NIFTIIO_ZNZ_LIBRARY znz)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(NiftiIO REQUIRED_VARS NIFTIIO_LIBRARY NIFTIIO_ZNZ_LIBRARY NIFTIIO_INCLUDE_DIR)
if(NiftiIO_FOUND AND NOT TARGET NiftiIO::niftiio)
  add_library(NiftiIO::niftiio UNKNOWN IMPORTED)
  set_target_properties(NiftiIO::niftiio PROPERTIES
    IMPORTED_LOCATION ${NIFTIIO_LIBRARY}
    INTERFACE_INCLUDE_DIRECTORIES ${NIFTIIO_INCLUDE_DIR}
    INTERFACE_LINK_LIBRARIES "${NIFTIIO_ZNZ_LIBRARY};ZLIB::ZLIB;m")
endif()
