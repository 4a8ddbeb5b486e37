// Data-only unpickler for torch.save files (see pickle.h).
#include "io/pickle.h"
#include "common/error.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <unordered_map>
#include <unordered_set>

namespace repalign::pth {

namespace {

using MValue = std::shared_ptr<Value>;

// Deeper trees than this are refused: they only come from hostile input, and a recursive
// walk (listing, destruction) over them could exhaust the stack.
constexpr int kMaxDepth = 400;
constexpr int kMaxDims = 64;

std::string hexByte(unsigned v)
{
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%02x", v & 0xffu);
    return buf;
}

std::string latin1ToUtf8(const std::string& in)
{
    std::string out;
    out.reserve(in.size());
    for (unsigned char c : in) {
        if (c < 0x80) {
            out += static_cast<char>(c);
        } else {
            out += static_cast<char>(0xc0 | (c >> 6));
            out += static_cast<char>(0x80 | (c & 0x3f));
        }
    }
    return out;
}

std::string floatText(double v)
{
    if (std::isnan(v))
        return "nan";
    if (std::isinf(v))
        return v > 0 ? "inf" : "-inf";
    // Shortest text that reads back to the same double, as Python's repr.
    char buf[40];
    for (int prec = 1; prec <= 17; ++prec) {
        std::snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (std::strtod(buf, nullptr) == v)
            break;
    }
    std::string s = buf;
    if (s.find_first_of(".eEn") == std::string::npos)
        s += ".0";
    return s;
}

// Two's complement little-endian bytes -> hex text (for integers wider than int64).
std::string bigIntText(const std::string& bytes)
{
    if (bytes.empty())
        return "0";
    const bool negative = static_cast<unsigned char>(bytes.back()) & 0x80;
    std::string mag = bytes;
    if (negative) { // magnitude = ~x + 1
        unsigned carry = 1;
        for (auto& c : mag) {
            unsigned v = static_cast<unsigned char>(~static_cast<unsigned char>(c)) + carry;
            c = static_cast<char>(v & 0xff);
            carry = v >> 8;
        }
    }
    std::string hex;
    bool leading = true;
    for (std::size_t i = mag.size(); i-- > 0;) {
        char buf[3];
        std::snprintf(buf, sizeof buf, "%02x", static_cast<unsigned char>(mag[i]));
        for (char h : std::string(buf)) {
            if (leading && h == '0')
                continue;
            leading = false;
            hex += h;
        }
    }
    if (hex.empty())
        hex = "0";
    return (negative ? "-0x" : "0x") + hex;
}

// Key of a scalar for duplicate detection in dicts and sets (Python hash equality for the
// scalar kinds that can be keys: 1 == 1.0 == True is honoured for ints/bools/floats).
bool hashKey(const Value& v, std::string& key)
{
    switch (v.kind) {
    case Value::Kind::None:
        key = "N";
        return true;
    case Value::Kind::Bool:
        key = "i" + std::to_string(v.boolean ? 1 : 0);
        return true;
    case Value::Kind::Int:
        key = "i" + std::to_string(v.integer);
        return true;
    case Value::Kind::BigInt:
        key = "b" + v.text;
        return true;
    case Value::Kind::Float:
        if (std::floor(v.number) == v.number && std::fabs(v.number) < 9.2e18) {
            key = "i" + std::to_string(static_cast<std::int64_t>(v.number));
            return true;
        }
        key = "f" + floatText(v.number);
        return true;
    case Value::Kind::Str:
        key = "s" + v.text;
        return true;
    case Value::Kind::Bytes:
        key = "y" + v.text;
        return true;
    default:
        return false;
    }
}

bool allowedGlobal(const std::string& name)
{
    static const std::unordered_set<std::string> allowed = {
        "collections.OrderedDict",
        "builtins.set",
        "builtins.frozenset",
        "torch._utils._rebuild_tensor",
        "torch._utils._rebuild_tensor_v2",
        "torch._utils._rebuild_parameter",
        "torch._utils._rebuild_parameter_with_state",
        "torch._tensor._rebuild_from_type_v2",
        "torch.Tensor",
        "torch._tensor.Tensor",
        "torch.nn.parameter.Parameter",
        "torch.Size",
        "numpy.dtype",
        "_codecs.encode",
        // LibTorch's own pickler (torch::pickle_save, TorchScript) tags typed containers.
        "torch.jit._pickle.restore_type_tag",
        "torch.jit._pickle.build_intlist",
        "torch.jit._pickle.build_doublelist",
        "torch.jit._pickle.build_boollist",
        "torch.jit._pickle.build_tensorlist",
        "torch.jit._pickle.build_genericlist",
        "numpy.core.multiarray.scalar",
        "numpy._core.multiarray.scalar",
    };
    if (allowed.count(name))
        return true;
    torch::ScalarType t;
    return storageDtype(name, t);
}

class Unpickler {
public:
    Unpickler(const std::uint8_t* data, std::size_t size, std::size_t pos, std::string name, const PersistentLoad& pl)
        : m_data(data)
        , m_size(size)
        , m_pos(pos)
        , m_name(std::move(name))
        , m_persistentLoad(pl)
    {
    }

    ~Unpickler()
    {
        if (m_ok)
            return;
        // Break every container's links first so that neither a reference cycle nor a very
        // deep chain is left for recursive destruction.
        for (auto& c : m_containers) {
            c->items.clear();
            c->entries.clear();
            c->state.reset();
        }
    }

    ValuePtr run(std::size_t& endPos)
    {
        MValue result = loop();
        checkTree(result);
        m_ok = true;
        endPos = m_pos;
        return result;
    }

private:
    [[noreturn]] void fail(const std::string& what) const
    {
        throw Error(m_name + ": " + what + " (at byte " + std::to_string(m_opPos) + ")");
    }

    void need(std::size_t n) const
    {
        if (n > m_size - m_pos)
            fail("truncated pickle: needs " + std::to_string(n) + " more bytes, " + std::to_string(m_size - m_pos) + " left");
    }
    std::uint8_t u8()
    {
        need(1);
        return m_data[m_pos++];
    }
    std::uint64_t uleN(int n)
    {
        need(static_cast<std::size_t>(n));
        std::uint64_t v = 0;
        for (int i = 0; i < n; ++i)
            v |= static_cast<std::uint64_t>(m_data[m_pos + static_cast<std::size_t>(i)]) << (8 * i);
        m_pos += static_cast<std::size_t>(n);
        return v;
    }
    std::string bytes(std::uint64_t n)
    {
        if (n > m_size - m_pos)
            fail("truncated pickle: a " + std::to_string(n) + "-byte string runs past the end (" + std::to_string(m_size - m_pos)
                + " bytes left)");
        std::string s(reinterpret_cast<const char*>(m_data + m_pos), static_cast<std::size_t>(n));
        m_pos += static_cast<std::size_t>(n);
        return s;
    }
    std::string line()
    {
        std::size_t start = m_pos;
        while (m_pos < m_size && m_data[m_pos] != '\n')
            ++m_pos;
        if (m_pos >= m_size)
            fail("truncated pickle: unterminated text line");
        std::string s(reinterpret_cast<const char*>(m_data + start), m_pos - start);
        ++m_pos;
        return s;
    }

    MValue make(Value::Kind k)
    {
        auto v = std::make_shared<Value>();
        v->kind = k;
        if (k == Value::Kind::List || k == Value::Kind::Tuple || k == Value::Kind::Set || k == Value::Kind::Dict)
            m_containers.push_back(v);
        return v;
    }
    MValue makeInt(std::int64_t i)
    {
        auto v = make(Value::Kind::Int);
        v->integer = i;
        return v;
    }
    MValue makeText(Value::Kind k, std::string s)
    {
        auto v = make(k);
        v->text = std::move(s);
        return v;
    }
    MValue makeDict(const char* cls)
    {
        auto v = make(Value::Kind::Dict);
        v->className = cls;
        return v;
    }

    void push(MValue v) { m_stack.push_back(std::move(v)); }
    MValue pop()
    {
        if (m_stack.size() <= m_floor())
            fail("pickle stack underflow");
        MValue v = std::move(m_stack.back());
        m_stack.pop_back();
        return v;
    }
    MValue& top()
    {
        if (m_stack.size() <= m_floor())
            fail("pickle stack underflow");
        return m_stack.back();
    }
    std::size_t m_floor() const { return m_marks.empty() ? 0 : m_marks.back(); }
    std::vector<MValue> popMark()
    {
        if (m_marks.empty())
            fail("pickle MARK missing");
        std::size_t mark = m_marks.back();
        m_marks.pop_back();
        std::vector<MValue> items(
            std::make_move_iterator(m_stack.begin() + static_cast<std::ptrdiff_t>(mark)), std::make_move_iterator(m_stack.end()));
        m_stack.resize(mark);
        return items;
    }

    void memoPut(std::uint64_t idx) { m_memo[idx] = top(); }
    void memoGet(std::uint64_t idx)
    {
        auto it = m_memo.find(idx);
        if (it == m_memo.end())
            fail("pickle memo entry " + std::to_string(idx) + " is not defined");
        push(it->second);
    }

    void dictSet(Value& dict, MValue key, MValue value)
    {
        std::string hk;
        if (hashKey(*key, hk)) {
            auto& index = m_index[&dict];
            auto it = index.find(hk);
            if (it != index.end()) {
                dict.entries[it->second].second = std::move(value);
                return;
            }
            index.emplace(hk, dict.entries.size());
        } else if (key->kind != Value::Kind::Tuple) {
            fail("dict key of type " + key->typeText() + " is not hashable");
        }
        dict.entries.emplace_back(std::move(key), std::move(value));
    }
    void setAdd(Value& set, MValue item)
    {
        std::string hk;
        if (hashKey(*item, hk)) {
            auto& index = m_index[&set];
            if (!index.emplace(hk, set.items.size()).second)
                return;
        } else if (item->kind != Value::Kind::Tuple) {
            fail("set item of type " + item->typeText() + " is not hashable");
        }
        set.items.push_back(std::move(item));
    }

    MValue makeTuple(std::vector<MValue> items)
    {
        auto t = make(Value::Kind::Tuple);
        t->className = "tuple";
        t->items.assign(items.begin(), items.end());
        return t;
    }

    std::string globalName(std::string module, const std::string& name)
    {
        if (module == "__builtin__")
            module = "builtins";
        std::string full = module + "." + name;
        if (!allowedGlobal(full)) {
            std::string hint;
            if (module == "__main__" || module.rfind("torch.nn.modules", 0) == 0 || module.rfind("torchvision.models", 0) == 0)
                hint = "; the file holds a pickled Python object (torch.save(model)?): re-save model.state_dict()";
            else if (module.rfind("__torch__", 0) == 0)
                hint = "; this is a TorchScript archive (torch.jit.save), not a torch.save file";
            fail("unsupported global '" + full
                + "': only data is read (tensors, dicts, lists, numbers, strings), "
                  "nothing is imported or executed"
                + hint);
        }
        return full;
    }

    static bool isInt(const ValuePtr& v) { return v && (v->kind == Value::Kind::Int || v->kind == Value::Kind::Bool); }
    std::int64_t intArg(const ValuePtr& v, const char* what)
    {
        if (!isInt(v))
            fail(std::string(what) + " must be an int, found " + (v ? v->typeText() : "nothing"));
        return v->kind == Value::Kind::Bool ? (v->boolean ? 1 : 0) : v->integer;
    }
    std::vector<std::int64_t> intTuple(const ValuePtr& v, const char* what)
    {
        if (!v || !v->isSequence())
            fail(std::string(what) + " must be a tuple of ints, found " + (v ? v->typeText() : "nothing"));
        if (v->items.size() > static_cast<std::size_t>(kMaxDims))
            fail(std::string(what) + " has " + std::to_string(v->items.size()) + " dimensions (at most "
                + std::to_string(kMaxDims) + ")");
        std::vector<std::int64_t> out;
        for (const auto& i : v->items)
            out.push_back(intArg(i, what));
        return out;
    }

    MValue rebuildTensor(const std::vector<ValuePtr>& args, std::size_t minArgs, const char* fn)
    {
        if (args.size() < minArgs)
            fail(std::string(fn) + " needs " + std::to_string(minArgs) + " arguments, found " + std::to_string(args.size()));
        const ValuePtr& storage = args[0];
        if (!storage || storage->kind != Value::Kind::Storage)
            fail(std::string(fn) + ": first argument must be a storage, found " + storage->typeText());
        const std::int64_t offset = intArg(args[1], "tensor storage offset");
        auto sizes = intTuple(args[2], "tensor size");
        auto strides = intTuple(args[3], "tensor stride");
        auto t = make(Value::Kind::Tensor);
        t->className = "torch.Tensor";
        t->tensor = viewOfStorage(storage->tensor, offset, sizes, strides, m_name);
        if (args.size() > 4 && args[4] && args[4]->kind == Value::Kind::Bool)
            t->requiresGrad = args[4]->boolean;
        return t;
    }

    MValue callGlobal(const std::string& fn, const ValuePtr& argsValue)
    {
        if (!argsValue || argsValue->kind != Value::Kind::Tuple)
            fail("arguments of " + fn + " must be a tuple, found " + (argsValue ? argsValue->typeText() : "nothing"));
        const auto& args = argsValue->items;
        if (fn == "collections.OrderedDict") {
            auto d = makeDict("collections.OrderedDict");
            if (!args.empty()) {
                if (args.size() != 1 || !args[0]->isSequence())
                    fail("OrderedDict() takes one list of pairs");
                for (const auto& pair : args[0]->items) {
                    if (!pair->isSequence() || pair->items.size() != 2)
                        fail("OrderedDict() items must be (key, value) pairs");
                    dictSet(*d, std::const_pointer_cast<Value>(pair->items[0]), std::const_pointer_cast<Value>(pair->items[1]));
                }
            }
            return d;
        }
        if (fn == "builtins.set" || fn == "builtins.frozenset") {
            auto s = make(Value::Kind::Set);
            s->className = fn == "builtins.set" ? "set" : "frozenset";
            if (!args.empty()) {
                if (args.size() != 1 || !args[0]->isSequence())
                    fail(fn + "() takes one list");
                for (const auto& i : args[0]->items)
                    setAdd(*s, std::const_pointer_cast<Value>(i));
            }
            return s;
        }
        if (fn == "torch._utils._rebuild_tensor_v2")
            return rebuildTensor(args, 6, "_rebuild_tensor_v2");
        if (fn == "torch._utils._rebuild_tensor")
            return rebuildTensor(args, 4, "_rebuild_tensor");
        if (fn == "torch._utils._rebuild_parameter" || fn == "torch._utils._rebuild_parameter_with_state") {
            if (args.size() < 2 || args[0]->kind != Value::Kind::Tensor)
                fail(fn + " needs a tensor and requires_grad");
            auto p = make(Value::Kind::Tensor);
            p->tensor = args[0]->tensor;
            p->className = "torch.nn.Parameter";
            p->requiresGrad = args[1]->kind == Value::Kind::Bool && args[1]->boolean;
            return p;
        }
        if (fn == "torch._tensor._rebuild_from_type_v2") {
            // (func, new_type, args, state): the tensor subclass is dropped, the data kept.
            if (args.size() < 3 || args[0]->kind != Value::Kind::Global || args[1]->kind != Value::Kind::Global)
                fail("_rebuild_from_type_v2 needs (func, type, args, state)");
            if (args[0]->text == fn)
                fail("_rebuild_from_type_v2 cannot call itself");
            auto v = callGlobal(args[0]->text, args[2]);
            if (v->kind == Value::Kind::Tensor && args[1]->text == "torch.nn.parameter.Parameter")
                v->className = "torch.nn.Parameter";
            return v;
        }
        if (fn == "torch.Size") {
            if (args.size() != 1 || !args[0]->isSequence())
                fail("torch.Size() takes one tuple");
            auto t = makeTuple({});
            t->className = "torch.Size";
            for (const auto& i : args[0]->items) {
                intArg(i, "torch.Size item");
                t->items.push_back(i);
            }
            return t;
        }
        if (fn == "numpy.dtype") {
            if (args.empty() || args[0]->kind != Value::Kind::Str)
                fail("numpy.dtype() needs a type code");
            static const std::unordered_set<std::string> codes
                = {"f8", "f4", "f2", "i8", "i4", "i2", "i1", "u8", "u4", "u2", "u1", "b1"};
            if (!codes.count(args[0]->text))
                fail("numpy dtype '" + args[0]->text + "' is not supported (valid: f8 f4 f2 i8 i4 i2 i1 u8 u4 u2 u1 b1)");
            auto d = make(Value::Kind::Global);
            d->text = "numpy.dtype";
            d->className = args[0]->text;
            return d;
        }
        if (fn == "torch.jit._pickle.restore_type_tag") {
            // (value, "Dict[str, Tensor]"): the type string only matters to TorchScript.
            if (args.size() != 2 || args[1]->kind != Value::Kind::Str)
                fail("restore_type_tag needs (value, type string)");
            return std::const_pointer_cast<Value>(args[0]);
        }
        if (fn.rfind("torch.jit._pickle.build_", 0) == 0) {
            if (args.size() != 1 || args[0]->kind != Value::Kind::List)
                fail(fn + " needs one list");
            return std::const_pointer_cast<Value>(args[0]);
        }
        if (fn == "_codecs.encode") {
            // Protocol 2 spells bytes as _codecs.encode(text, 'latin1') (numpy scalars do).
            if (args.size() != 2 || args[0]->kind != Value::Kind::Str || args[1]->kind != Value::Kind::Str
                || (args[1]->text != "latin1" && args[1]->text != "latin-1"))
                fail("_codecs.encode() is only read as encode(str, 'latin1')");
            std::string out;
            const std::string& in = args[0]->text;
            for (std::size_t i = 0; i < in.size(); ++i) {
                const unsigned char c = static_cast<unsigned char>(in[i]);
                if (c < 0x80) {
                    out += static_cast<char>(c);
                } else if ((c == 0xc2 || c == 0xc3) && i + 1 < in.size()) {
                    out += static_cast<char>(((c & 0x03) << 6) | (static_cast<unsigned char>(in[i + 1]) & 0x3f));
                    ++i;
                } else {
                    fail("_codecs.encode(): text has characters outside latin-1");
                }
            }
            return makeText(Value::Kind::Bytes, out);
        }
        if (fn == "numpy.core.multiarray.scalar" || fn == "numpy._core.multiarray.scalar")
            return numpyScalar(args);
        fail("'" + fn + "' cannot be called");
    }

    MValue numpyScalar(const std::vector<ValuePtr>& args)
    {
        if (args.size() != 2 || args[0]->kind != Value::Kind::Global || args[0]->text != "numpy.dtype"
            || args[1]->kind != Value::Kind::Bytes)
            fail("numpy scalar needs (dtype, bytes)");
        const std::string& code = args[0]->className;
        std::string raw = args[1]->text;
        const std::size_t width = static_cast<std::size_t>(code[1] - '0');
        if (raw.size() != width)
            fail("numpy scalar of dtype " + code + " needs " + std::to_string(width) + " bytes, found "
                + std::to_string(raw.size()));
        if (args[0]->integer) // big-endian dtype
            std::reverse(raw.begin(), raw.end());
        std::uint64_t bits = 0;
        for (std::size_t i = 0; i < width; ++i)
            bits |= static_cast<std::uint64_t>(static_cast<unsigned char>(raw[i])) << (8 * i);
        if (code[0] == 'f') {
            auto v = make(Value::Kind::Float);
            if (width == 8) {
                std::memcpy(&v->number, &bits, 8);
            } else if (width == 4) {
                float f;
                auto b32 = static_cast<std::uint32_t>(bits);
                std::memcpy(&f, &b32, 4);
                v->number = f;
            } else {
                v->number = static_cast<double>(c10::Half(static_cast<std::uint16_t>(bits), c10::Half::from_bits()));
            }
            return v;
        }
        if (code[0] == 'b') {
            auto v = make(Value::Kind::Bool);
            v->boolean = bits != 0;
            return v;
        }
        std::int64_t i = static_cast<std::int64_t>(bits);
        if (code[0] == 'i' && width < 8) {
            const int shift = static_cast<int>(64 - 8 * width);
            i = static_cast<std::int64_t>(bits << shift) >> shift;
        } else if (code[0] == 'u' && width == 8 && (bits >> 63)) {
            std::string le(raw);
            le.push_back('\0');
            return makeText(Value::Kind::BigInt, le);
        }
        return makeInt(i);
    }

    MValue decodeLong(const std::string& le)
    {
        if (le.size() <= 8) {
            std::uint64_t bits = 0;
            for (std::size_t i = 0; i < le.size(); ++i)
                bits |= static_cast<std::uint64_t>(static_cast<unsigned char>(le[i])) << (8 * i);
            if (!le.empty() && le.size() < 8 && (static_cast<unsigned char>(le.back()) & 0x80))
                bits |= ~std::uint64_t(0) << (8 * le.size());
            return makeInt(static_cast<std::int64_t>(bits));
        }
        return makeText(Value::Kind::BigInt, le);
    }

    MValue decodeTextInt(const std::string& s, bool isLong)
    {
        std::string t = s;
        if (isLong && !t.empty() && t.back() == 'L')
            t.pop_back();
        if (!isLong && (t == "00" || t == "01")) {
            auto b = make(Value::Kind::Bool);
            b->boolean = t == "01";
            return b;
        }
        if (t.empty() || t.size() > 20)
            fail("integer text '" + s.substr(0, 24) + "' is not supported");
        errno = 0;
        char* end = nullptr;
        long long v = std::strtoll(t.c_str(), &end, 10);
        if (errno || !end || *end)
            fail("bad integer text '" + s.substr(0, 24) + "'");
        return makeInt(v);
    }

    MValue loop()
    {
        for (;;) {
            m_opPos = m_pos;
            const std::uint8_t op = u8();
            switch (op) {
            case 0x80: { // PROTO
                const unsigned proto = u8();
                if (proto > 5)
                    fail("pickle protocol " + std::to_string(proto) + " is not supported (0-5)");
                break;
            }
            case 0x95: // FRAME: framing only bounds buffering, the opcodes follow inline
                uleN(8);
                break;
            case '.': { // STOP
                if (m_stack.size() != 1 || !m_marks.empty())
                    fail("pickle ended with " + std::to_string(m_stack.size()) + " values on the stack");
                return m_stack.back();
            }
            case '(':
                m_marks.push_back(m_stack.size());
                break;
            case '0':
                pop();
                break;
            case '1':
                popMark();
                break;
            case '2':
                push(top());
                break;
            case 'N':
                push(make(Value::Kind::None));
                break;
            case 0x88:
            case 0x89: {
                auto b = make(Value::Kind::Bool);
                b->boolean = op == 0x88;
                push(b);
                break;
            }
            case 'J':
                push(makeInt(static_cast<std::int32_t>(static_cast<std::uint32_t>(uleN(4)))));
                break;
            case 'K':
                push(makeInt(static_cast<std::int64_t>(uleN(1))));
                break;
            case 'M':
                push(makeInt(static_cast<std::int64_t>(uleN(2))));
                break;
            case 'I':
                push(decodeTextInt(line(), false));
                break;
            case 'L':
                push(decodeTextInt(line(), true));
                break;
            case 0x8a:
                push(decodeLong(bytes(uleN(1))));
                break;
            case 0x8b: {
                const std::uint64_t n = static_cast<std::uint32_t>(uleN(4));
                if (n > 64)
                    fail("integer of " + std::to_string(n) + " bytes is too large");
                push(decodeLong(bytes(n)));
                break;
            }
            case 'F': {
                std::string s = line();
                char* end = nullptr;
                auto v = make(Value::Kind::Float);
                v->number = std::strtod(s.c_str(), &end);
                if (s.empty() || !end || *end)
                    fail("bad float text");
                push(v);
                break;
            }
            case 'G': {
                std::uint64_t be = 0;
                need(8);
                for (int i = 0; i < 8; ++i)
                    be = (be << 8) | m_data[m_pos++];
                auto v = make(Value::Kind::Float);
                std::memcpy(&v->number, &be, 8);
                push(v);
                break;
            }
            case 'X':
                push(makeText(Value::Kind::Str, bytes(uleN(4))));
                break;
            case 0x8c:
                push(makeText(Value::Kind::Str, bytes(uleN(1))));
                break;
            case 0x8d:
                push(makeText(Value::Kind::Str, bytes(uleN(8))));
                break;
            case 'T':
                push(makeText(Value::Kind::Str, latin1ToUtf8(bytes(uleN(4)))));
                break;
            case 'U':
                push(makeText(Value::Kind::Str, latin1ToUtf8(bytes(uleN(1)))));
                break;
            case 'B':
                push(makeText(Value::Kind::Bytes, bytes(uleN(4))));
                break;
            case 'C':
                push(makeText(Value::Kind::Bytes, bytes(uleN(1))));
                break;
            case 0x8e:
                push(makeText(Value::Kind::Bytes, bytes(uleN(8))));
                break;
            case 0x96: {
                auto v = makeText(Value::Kind::Bytes, bytes(uleN(8)));
                v->className = "bytearray";
                push(v);
                break;
            }
            case ']': {
                auto l = make(Value::Kind::List);
                l->className = "list";
                push(l);
                break;
            }
            case 'l': {
                auto items = popMark();
                auto l = make(Value::Kind::List);
                l->className = "list";
                l->items.assign(items.begin(), items.end());
                push(l);
                break;
            }
            case 'a': {
                MValue item = pop();
                MValue& list = top();
                if (list->kind != Value::Kind::List)
                    fail("APPEND to a " + list->typeText());
                list->items.push_back(std::move(item));
                break;
            }
            case 'e': {
                auto items = popMark();
                MValue& list = top();
                if (list->kind != Value::Kind::List)
                    fail("APPENDS to a " + list->typeText());
                list->items.insert(list->items.end(), items.begin(), items.end());
                break;
            }
            case ')':
                push(makeTuple({}));
                break;
            case 't':
                push(makeTuple(popMark()));
                break;
            case 0x85:
            case 0x86:
            case 0x87: {
                const std::size_t n = op - 0x84u;
                std::vector<MValue> items(n);
                for (std::size_t i = n; i-- > 0;)
                    items[i] = pop();
                push(makeTuple(std::move(items)));
                break;
            }
            case '}':
                push(makeDict("dict"));
                break;
            case 'd': {
                auto items = popMark();
                if (items.size() % 2)
                    fail("DICT with an odd number of items");
                auto d = makeDict("dict");
                for (std::size_t i = 0; i < items.size(); i += 2)
                    dictSet(*d, items[i], items[i + 1]);
                push(d);
                break;
            }
            case 's': {
                MValue value = pop();
                MValue key = pop();
                MValue& d = top();
                if (d->kind != Value::Kind::Dict)
                    fail("SETITEM on a " + d->typeText());
                dictSet(*d, std::move(key), std::move(value));
                break;
            }
            case 'u': {
                auto items = popMark();
                if (items.size() % 2)
                    fail("SETITEMS with an odd number of items");
                MValue& d = top();
                if (d->kind != Value::Kind::Dict)
                    fail("SETITEMS on a " + d->typeText());
                for (std::size_t i = 0; i < items.size(); i += 2)
                    dictSet(*d, items[i], items[i + 1]);
                break;
            }
            case 0x8f: {
                auto s = make(Value::Kind::Set);
                s->className = "set";
                push(s);
                break;
            }
            case 0x90: {
                auto items = popMark();
                MValue& s = top();
                if (s->kind != Value::Kind::Set)
                    fail("ADDITEMS to a " + s->typeText());
                for (auto& i : items)
                    setAdd(*s, i);
                break;
            }
            case 0x91: {
                auto items = popMark();
                auto s = make(Value::Kind::Set);
                s->className = "frozenset";
                for (auto& i : items)
                    setAdd(*s, i);
                push(s);
                break;
            }
            case 'p': {
                std::string s = line();
                char* end = nullptr;
                unsigned long long idx = std::strtoull(s.c_str(), &end, 10);
                if (s.empty() || !end || *end)
                    fail("bad PUT index");
                memoPut(idx);
                break;
            }
            case 'q':
                memoPut(uleN(1));
                break;
            case 'r':
                memoPut(uleN(4));
                break;
            case 0x94:
                memoPut(m_memo.size());
                break;
            case 'g': {
                std::string s = line();
                char* end = nullptr;
                unsigned long long idx = std::strtoull(s.c_str(), &end, 10);
                if (s.empty() || !end || *end)
                    fail("bad GET index");
                memoGet(idx);
                break;
            }
            case 'h':
                memoGet(uleN(1));
                break;
            case 'j':
                memoGet(uleN(4));
                break;
            case 'c': {
                std::string module = line();
                std::string name = line();
                push(makeText(Value::Kind::Global, globalName(module, name)));
                break;
            }
            case 0x93: {
                MValue name = pop();
                MValue module = pop();
                if (name->kind != Value::Kind::Str || module->kind != Value::Kind::Str)
                    fail("STACK_GLOBAL needs two strings");
                push(makeText(Value::Kind::Global, globalName(module->text, name->text)));
                break;
            }
            case 'R': {
                MValue args = pop();
                MValue fn = pop();
                if (fn->kind != Value::Kind::Global)
                    fail("REDUCE on a " + fn->typeText() + " (not a callable)");
                push(callGlobal(fn->text, args));
                break;
            }
            case 0x81:
            case 0x92: {
                MValue kwargs;
                if (op == 0x92)
                    kwargs = pop();
                MValue args = pop();
                MValue cls = pop();
                if (cls->kind != Value::Kind::Global
                    || (cls->text != "collections.OrderedDict" && cls->text != "builtins.set"
                        && cls->text != "builtins.frozenset"))
                    fail("NEWOBJ of " + (cls->kind == Value::Kind::Global ? "'" + cls->text + "'" : cls->typeText())
                        + " is not supported (only OrderedDict, set, frozenset)");
                push(callGlobal(cls->text, makeTuple({})));
                break;
            }
            case 'b': {
                MValue state = pop();
                MValue& obj = top();
                if (obj->kind == Value::Kind::Dict) {
                    if (state->kind != Value::Kind::None)
                        obj->state = state;
                } else if (obj->kind == Value::Kind::Global && obj->text == "numpy.dtype") {
                    // state: (version, byteorder, ...); '>' is big-endian.
                    if (state->kind == Value::Kind::Tuple && state->items.size() > 1 && state->items[1]->kind == Value::Kind::Str)
                        obj->integer = state->items[1]->text == ">" ? 1 : 0;
                } else {
                    fail("BUILD on a " + obj->typeText() + " is not supported");
                }
                break;
            }
            case 'Q':
            case 'P': {
                MValue pid = op == 'Q' ? pop() : makeText(Value::Kind::Str, line());
                if (!m_persistentLoad)
                    fail("persistent id in a pickle that should have none");
                auto v = m_persistentLoad(*pid);
                push(std::const_pointer_cast<Value>(v));
                break;
            }
            case 0x97:
            case 0x98:
                fail("out-of-band pickle buffers are not supported");
            case 0x82:
            case 0x83:
            case 0x84:
                fail("pickle extension registry codes are not supported");
            case 'i':
            case 'o':
                fail("protocol 0/1 class instances are not supported");
            case 'S':
            case 'V':
                fail("protocol 0 text strings are not supported");
            default:
                fail("unknown pickle opcode " + hexByte(op));
            }
        }
    }

    // Rejects cycles (APPEND of a list to itself through the memo) and trees deeper than
    // kMaxDepth, iteratively so that the check itself cannot overflow the stack.
    void checkTree(const MValue& root)
    {
        enum : char { Open = 1, Done = 2 };
        std::unordered_map<const Value*, std::pair<char, int>> seen; // state, height
        struct Frame {
            const Value* v;
            std::size_t next;
        };
        std::vector<Frame> stack {{root.get(), 0}};
        seen[root.get()] = {Open, 0};
        auto childAt = [](const Value* v, std::size_t i) -> const Value* {
            const std::size_t ni = v->items.size(), ne = v->entries.size();
            if (i < ni)
                return v->items[i].get();
            i -= ni;
            if (i < 2 * ne)
                return i % 2 ? v->entries[i / 2].second.get() : v->entries[i / 2].first.get();
            i -= 2 * ne;
            return i == 0 ? v->state.get() : nullptr;
        };
        while (!stack.empty()) {
            Frame& f = stack.back();
            const std::size_t total = f.v->items.size() + 2 * f.v->entries.size() + 1;
            if (f.next >= total) {
                int h = 0;
                for (std::size_t i = 0; i + 1 < total; ++i)
                    if (const Value* c = childAt(f.v, i))
                        h = std::max(h, seen[c].second + 1);
                if (f.v->state)
                    h = std::max(h, seen[f.v->state.get()].second + 1);
                if (h > kMaxDepth)
                    fail("pickled data nested deeper than " + std::to_string(kMaxDepth) + " levels");
                seen[f.v] = {Done, h};
                stack.pop_back();
                continue;
            }
            const Value* c = childAt(f.v, f.next++);
            if (!c)
                continue;
            auto it = seen.find(c);
            if (it == seen.end()) {
                seen[c] = {Open, 0};
                if (stack.size() > static_cast<std::size_t>(kMaxDepth) + 1)
                    fail("pickled data nested deeper than " + std::to_string(kMaxDepth) + " levels");
                stack.push_back({c, 0});
            } else if (it->second.first == Open) {
                fail("pickled data contains a reference cycle");
            }
        }
    }

    const std::uint8_t* m_data;
    std::size_t m_size;
    std::size_t m_pos;
    std::size_t m_opPos = 0;
    std::string m_name;
    const PersistentLoad& m_persistentLoad;
    std::vector<MValue> m_stack;
    std::vector<std::size_t> m_marks;
    std::unordered_map<std::uint64_t, MValue> m_memo;
    std::vector<MValue> m_containers;
    std::unordered_map<const Value*, std::unordered_map<std::string, std::size_t>> m_index;
    bool m_ok = false;
};

} // namespace

bool Value::isScalar() const
{
    switch (kind) {
    case Kind::None:
    case Kind::Bool:
    case Kind::Int:
    case Kind::BigInt:
    case Kind::Float:
    case Kind::Str:
    case Kind::Bytes:
        return true;
    default:
        return false;
    }
}

ValuePtr Value::find(const std::string& key) const
{
    if (kind != Kind::Dict)
        return nullptr;
    for (const auto& [k, v] : entries)
        if (k->kind == Kind::Str && k->text == key)
            return v;
    return nullptr;
}

std::string Value::scalarText() const
{
    switch (kind) {
    case Kind::None:
        return "None";
    case Kind::Bool:
        return boolean ? "True" : "False";
    case Kind::Int:
        return std::to_string(integer);
    case Kind::BigInt:
        return bigIntText(text);
    case Kind::Float:
        return floatText(number);
    case Kind::Str: {
        // Python-like repr on one line; long texts (a run's YAML) are cut.
        std::string s = "'";
        std::size_t limit = std::min<std::size_t>(text.size(), 100);
        while (limit > 0 && limit < text.size() && (static_cast<unsigned char>(text[limit]) & 0xc0) == 0x80)
            --limit; // not inside a UTF-8 sequence
        for (std::size_t i = 0; i < text.size() && i < limit; ++i) {
            const unsigned char c = static_cast<unsigned char>(text[i]);
            if (c == '\n')
                s += "\\n";
            else if (c == '\t')
                s += "\\t";
            else if (c == '\\')
                s += "\\\\";
            else if (c == '\'')
                s += "\\'";
            else if (c < 0x20 || c == 0x7f) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\x%02x", c);
                s += buf;
            } else
                s += static_cast<char>(c);
        }
        s += "'";
        if (text.size() > limit)
            s += "... (" + std::to_string(text.size()) + " bytes)";
        return s;
    }
    case Kind::Bytes: {
        std::string s = "b'";
        for (std::size_t i = 0; i < text.size() && i < 32; ++i) {
            unsigned char c = static_cast<unsigned char>(text[i]);
            if (c >= 0x20 && c < 0x7f && c != '\\' && c != '\'') {
                s += static_cast<char>(c);
            } else {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\x%02x", c);
                s += buf;
            }
        }
        if (text.size() > 32)
            s += "...";
        return s + "'";
    }
    case Kind::Tuple: {
        std::string s = "(";
        for (std::size_t i = 0; i < items.size(); ++i)
            s += (i ? ", " : "") + (items[i]->isScalar() ? items[i]->scalarText() : items[i]->typeText());
        return s + (items.size() == 1 ? ",)" : ")");
    }
    case Kind::Global:
        return "<" + text + (className.empty() ? "" : " " + className) + ">";
    default:
        return "<" + typeText() + ">";
    }
}

std::string Value::typeText() const
{
    switch (kind) {
    case Kind::None:
        return "None";
    case Kind::Bool:
        return "bool";
    case Kind::Int:
    case Kind::BigInt:
        return "int";
    case Kind::Float:
        return "float";
    case Kind::Str:
        return "str";
    case Kind::Bytes:
        return className == "bytearray" ? "bytearray" : "bytes";
    case Kind::List:
        return "list";
    case Kind::Tuple:
        return className == "torch.Size" ? "torch.Size" : "tuple";
    case Kind::Set:
        return className.empty() ? "set" : className;
    case Kind::Dict:
        return className == "collections.OrderedDict" ? "OrderedDict" : "dict";
    case Kind::Tensor:
        return className == "torch.nn.Parameter" ? "Parameter" : "tensor";
    case Kind::Storage:
        return "storage";
    case Kind::Global:
        return "global";
    }
    return "?";
}

bool storageDtype(const std::string& globalName, torch::ScalarType& dtype)
{
    std::string n = globalName;
    for (const char* prefix : {"torch.cuda.", "torch.storage.", "torch."})
        if (n.rfind(prefix, 0) == 0) {
            n = n.substr(std::strlen(prefix));
            break;
        }
    static const std::pair<const char*, torch::ScalarType> table[] = {
        {"FloatStorage", torch::kFloat},
        {"DoubleStorage", torch::kDouble},
        {"HalfStorage", torch::kHalf},
        {"BFloat16Storage", torch::kBFloat16},
        {"LongStorage", torch::kLong},
        {"IntStorage", torch::kInt},
        {"ShortStorage", torch::kShort},
        {"CharStorage", torch::kChar},
        {"ByteStorage", torch::kByte},
        {"BoolStorage", torch::kBool},
        {"ComplexFloatStorage", torch::kComplexFloat},
        {"ComplexDoubleStorage", torch::kComplexDouble},
        {"UntypedStorage", torch::kByte},
        {"_UntypedStorage", torch::kByte},
    };
    for (const auto& [name, t] : table)
        if (n == name) {
            dtype = t;
            return true;
        }
    return false;
}

torch::Tensor viewOfStorage(const torch::Tensor& storage, std::int64_t offset, const std::vector<std::int64_t>& sizes,
    const std::vector<std::int64_t>& strides, const std::string& name)
{
    auto shape = [&] {
        std::string s = "(";
        for (std::size_t i = 0; i < sizes.size(); ++i)
            s += (i ? ", " : "") + std::to_string(sizes[i]);
        return s + ")";
    };
    if (sizes.size() != strides.size())
        throw Error(name + ": tensor of size " + shape() + " has " + std::to_string(strides.size()) + " strides");
    if (offset < 0)
        throw Error(name + ": negative tensor storage offset " + std::to_string(offset));
    const std::int64_t length = storage.numel();
    bool empty = false;
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        if (sizes[i] < 0 || strides[i] < 0)
            throw Error(name + ": tensor of size " + shape() + " has a negative size or stride");
        empty = empty || sizes[i] == 0;
    }
    // Highest element index the view touches, computed without overflow.
    constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
    std::int64_t last = offset;
    if (!empty) {
        for (std::size_t i = 0; i < sizes.size(); ++i) {
            const std::int64_t span = sizes[i] - 1;
            if (span && strides[i] && span > (kMax - last) / strides[i])
                throw Error(name + ": tensor of size " + shape() + " overflows its storage");
            last += span * strides[i];
        }
    }
    if (empty ? offset > length : last >= length)
        throw Error(name + ": tensor of size " + shape() + " at offset " + std::to_string(offset) + " needs more than the "
            + std::to_string(length) + " elements of its storage");
    return storage.as_strided(sizes, strides, offset);
}

ValuePtr unpickle(
    const std::uint8_t* data, std::size_t size, std::size_t& pos, const std::string& name, const PersistentLoad& persistentLoad)
{
    if (pos > size)
        throw Error(name + ": pickle starts past the end of the data");
    Unpickler u(data, size, pos, name, persistentLoad);
    return u.run(pos);
}

} // namespace repalign::pth
