/* h5digest FILE.h5: one line per dataset and attribute with its shape and a 64-bit FNV-1a hash
 * of its raw values (native byte order), sorted by path. Two files with the same lines hold
 * bitwise the same data, whatever HDF5 wrote around it (object times, layout, free space).
 * Used by session_refcheck.sh; build: cc h5digest.c $(pkg-config --cflags --libs hdf5) or
 * cc -I/usr/include/hdf5/serial h5digest.c -L/usr/lib/x86_64-linux-gnu/hdf5/serial -lhdf5 */
#include <hdf5.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t fnv(const unsigned char* p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; ++i) {
        h ^= p[i];
        h *= 1099511628211ull;
    }
    return h;
}

static void printShape(hid_t space)
{
    hsize_t dims[16];
    int rank = H5Sget_simple_extent_ndims(space);
    if (rank < 0 || rank > 16) {
        printf(" [?]");
        return;
    }
    H5Sget_simple_extent_dims(space, dims, NULL);
    printf(" [");
    for (int i = 0; i < rank; ++i)
        printf(i ? "x%llu" : "%llu", (unsigned long long)dims[i]);
    printf("]");
}

/* Reads an attribute or dataset into memory in its native type and hashes it. */
static void digest(hid_t obj, int isAttr)
{
    hid_t ftype = isAttr ? H5Aget_type(obj) : H5Dget_type(obj);
    hid_t space = isAttr ? H5Aget_space(obj) : H5Dget_space(obj);
    printShape(space);
    hssize_t n = H5Sget_simple_extent_npoints(space);
    if (H5Tget_class(ftype) == H5T_STRING) {
        if (H5Tis_variable_str(ftype)) {
            char** s = calloc((size_t)(n > 0 ? n : 1), sizeof(char*));
            hid_t mt = H5Tcopy(H5T_C_S1);
            H5Tset_size(mt, H5T_VARIABLE);
            H5Tset_cset(mt, H5Tget_cset(ftype));
            if ((isAttr ? H5Aread(obj, mt, s) : H5Dread(obj, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, s)) >= 0)
                for (hssize_t i = 0; i < n; ++i)
                    printf(" \"%s\"", s[i] ? s[i] : "");
            H5Dvlen_reclaim(mt, space, H5P_DEFAULT, s);
            H5Tclose(mt);
            free(s);
        } else {
            size_t sz = H5Tget_size(ftype) * (size_t)n;
            char* buf = calloc(sz + 1, 1);
            if ((isAttr ? H5Aread(obj, ftype, buf) : H5Dread(obj, ftype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf)) >= 0)
                printf(" \"%.*s\"", (int)sz, buf);
            free(buf);
        }
    } else {
        hid_t mt = H5Tget_native_type(ftype, H5T_DIR_ASCEND);
        size_t sz = H5Tget_size(mt) * (size_t)(n > 0 ? n : 0);
        unsigned char* buf = malloc(sz ? sz : 1);
        if ((isAttr ? H5Aread(obj, mt, buf) : H5Dread(obj, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf)) >= 0)
            printf(" %016llx", (unsigned long long)fnv(buf, sz));
        else
            printf(" unreadable");
        free(buf);
        H5Tclose(mt);
    }
    printf("\n");
    H5Sclose(space);
    H5Tclose(ftype);
}

static herr_t onAttr(hid_t loc, const char* name, const H5A_info_t* info, void* path)
{
    (void)info;
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    printf("%s@%s", (const char*)path, name);
    digest(a, 1);
    H5Aclose(a);
    return 0;
}

static herr_t onObject(hid_t root, const char* name, const H5O_info_t* info, void* data)
{
    (void)data;
    char path[1024];
    snprintf(path, sizeof path, "/%s", strcmp(name, ".") == 0 ? "" : name);
    hid_t o = H5Oopen(root, name, H5P_DEFAULT);
    if (info->type == H5O_TYPE_DATASET) {
        printf("%s", path);
        digest(o, 0);
    }
    H5Aiterate2(o, H5_INDEX_NAME, H5_ITER_INC, NULL, onAttr, path);
    H5Oclose(o);
    return 0;
}

int main(int argc, char** argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: h5digest FILE.h5\n");
        return 2;
    }
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(argv[1], H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) {
        fprintf(stderr, "h5digest: cannot open %s\n", argv[1]);
        return 1;
    }
    H5Ovisit2(f, H5_INDEX_NAME, H5_ITER_INC, onObject, NULL, H5O_INFO_BASIC);
    H5Fclose(f);
    return 0;
}
