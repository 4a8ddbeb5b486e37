# Build helpers kept out of the top-level CMakeLists.txt.
if(REPALIGN_USE_CCACHE)
  find_program(CCACHE_PROGRAM ccache)
  if(CCACHE_PROGRAM)
    # The core uses a precompiled header; ccache needs these sloppiness flags to cache it.
    set(CMAKE_CXX_COMPILER_LAUNCHER
        ${CMAKE_COMMAND} -E env "CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime"
        "CCACHE_BASEDIR=${CMAKE_SOURCE_DIR}" ${CCACHE_PROGRAM})
    message(STATUS "RepAlign: using ccache ${CCACHE_PROGRAM}")
  endif()
endif()

macro(repalign_report_torch)
  set(_repalign_cuda "none (CPU build)")
  if(CUDA_FOUND OR CUDAToolkit_FOUND OR TORCH_CUDA_LIBRARIES)
    set(_repalign_cuda "CUDA ${CUDA_VERSION}${CUDAToolkit_VERSION}")
  endif()
  message(STATUS "RepAlign: LibTorch ${Torch_VERSION} at ${TORCH_INSTALL_PREFIX}; CUDA: ${_repalign_cuda}")
endmacro()
