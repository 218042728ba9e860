"""Writes the .pth checkpoint fixtures for fiji.plugin.derain.io.pth (run with Debian's /usr/bin/python3).

    /usr/bin/python3 tools/make_pth_fixtures.py

Everything lands in src/test/resources/fixtures/pth/:
* real torch.save files (torch 1.13, zip format) covering what a weights file holds: a bare state_dict of a
  conv + BatchNorm module (float32 weights, running stats, an int64 scalar num_batches_tracked), the same
  wrapped in {'state_dict': ..., 'epoch': 3}, with DataParallel's 'module.' and GT-RAIN's 'resnet.' prefixes,
  non-contiguous views and other dtypes, two views of one storage, nn.Parameter objects;
* broken files: a truncated data entry, a non-zip file, a legacy (pre-1.6) torch.save file, a zip with an
  entry named archive/data/../../../escaped.txt;
* malicious files whose data.pkl names os.system / eval / exec / a user class / torch.storage._load_from_bytes.
  Their pickles are written here with pickle.dumps and are never loaded: if a reader ran them they would
  create MARKER, which the Java test checks does not appear;
* plain_p2.pkl, plain_p5.pkl: bare pickles of plain Python values, for the opcodes of protocols 2 and 5;
* expected.safetensors: the values the Java reader must produce, named "<fixture>/<tensor>@<torch dtype>",
  floating tensors as float32, integer and bool tensors as int64, keys as StateDicts.extract returns them;
  its metadata "shapes" holds every tensor's true shape as JSON.
"""
import collections
import json
import os
import pickle
import zipfile

import torch
import torch.nn as nn

from fixtures import fixture_path, save_safetensors

MARKER = "/tmp/fiji-derain-pth-marker"
EXPECTED = {}
# save_safetensors stores a 0-d tensor with shape [1] (np.ascontiguousarray is at least 1-d), so the true
# shapes also go into the metadata, as JSON under "shapes"
SHAPES = {}


def out(name):
    return fixture_path("pth", name)


def write_entry(z, name, data):
    """Stored entry with a fixed date, so that rerunning the script reproduces the same bytes."""
    z.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data)


def dtype_name(t):
    return str(t.dtype).replace("torch.", "")


def expect(fixture, tensors):
    """Records the expected tensors of a fixture (after key stripping) for expected.safetensors."""
    for key, t in tensors.items():
        t = t.detach()
        value = t.to(torch.float32) if t.is_floating_point() else t.to(torch.int64)
        name = "%s/%s@%s" % (fixture, key, dtype_name(t))
        EXPECTED[name] = value.contiguous()
        SHAPES[name] = list(t.shape)


class Tiny(nn.Module):
    """Shaped like one of GT-RAIN's pad → conv → norm → act stages, so the names look like the real ones."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(nn.ReflectionPad2d(1), nn.Conv2d(3, 4, 3, bias=False), nn.BatchNorm2d(4),
                                  nn.LeakyReLU(0.1))
        self.out = nn.Conv2d(4, 2, 1)

    def forward(self, x):
        return self.out(self.conv(x))


def tiny_state_dict():
    torch.manual_seed(7)
    model = Tiny()
    model.train()
    for _ in range(3):  # non-trivial running stats and num_batches_tracked = 3
        model(torch.randn(2, 3, 5, 5))
    return model.state_dict()


def save_state_dicts(sd):
    torch.save(sd, out("state_dict.pth"))
    expect("state_dict", sd)

    torch.save({"state_dict": sd, "epoch": 3}, out("wrapped.pth"))
    expect("wrapped", sd)

    module = collections.OrderedDict(("module." + k, v) for k, v in sd.items())
    torch.save(module, out("module_prefixed.pth"))
    expect("module_prefixed", sd)

    # the official GT-RAIN model_checkpoint.pth layout
    resnet = collections.OrderedDict(("resnet." + k, v) for k, v in sd.items())
    torch.save({"state_dict": resnet, "epoch": 20, "best_psnr": 23.5}, out("resnet_prefixed.pth"))
    expect("resnet_prefixed", sd)


def save_dtypes():
    g = torch.Generator().manual_seed(11)
    base = torch.randn(3, 5, generator=g)
    image = torch.randn(1, 3, 2, 4, generator=g)
    tensors = collections.OrderedDict([
        ("transposed", base.t()),  # stride (1, 5)
        ("every_other", base[1:, ::2]),  # offset 5, stride (5, 2)
        ("channels_last", image.contiguous(memory_format=torch.channels_last)),
        ("half", torch.randn(2, 3, generator=g).half()),
        ("bfloat16", torch.randn(2, 3, generator=g).bfloat16()),
        ("double", torch.randn(2, 3, generator=g, dtype=torch.float64)),
        ("scalar", torch.tensor(-2.5)),
        ("empty", torch.zeros(0, 3)),
        ("int64", torch.tensor([[-(2 ** 40), -1, 0], [1, 7, 2 ** 62]], dtype=torch.int64)),
        ("int32", torch.tensor([-(2 ** 31), -1, 2 ** 31 - 1], dtype=torch.int32)),
        ("int16", torch.tensor([-32768, 5, 32767], dtype=torch.int16)),
        ("int8", torch.tensor([-128, -1, 127], dtype=torch.int8)),
        ("uint8", torch.tensor([0, 1, 255], dtype=torch.uint8)),
        ("bool", torch.tensor([True, False, True])),
    ])
    assert not tensors["transposed"].is_contiguous() and not tensors["channels_last"].is_contiguous()
    torch.save(tensors, out("dtypes.pth"))
    expect("dtypes", tensors)


def save_shared():
    base = torch.arange(24, dtype=torch.float32) * 0.5 - 3
    tensors = collections.OrderedDict([
        ("a", base[4:10]),  # offset 4
        ("b", base.view(4, 6)[1:, 2:]),  # offset 8, stride (6, 1)
    ])
    torch.save(tensors, out("shared.pth"))
    expect("shared", tensors)


def save_parameters():
    torch.manual_seed(3)
    params = collections.OrderedDict([
        ("weight", nn.Parameter(torch.randn(2, 3))),
        ("frozen", nn.Parameter(torch.randn(4), requires_grad=False)),
    ])
    torch.save(params, out("parameters.pth"))
    expect("parameters", params)


def save_truncated():
    """state_dict.pth with its first storage (conv.1.weight, 108 floats) cut to 100 bytes."""
    with zipfile.ZipFile(out("state_dict.pth")) as src, \
            zipfile.ZipFile(out("truncated.pth"), "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "state_dict/data/0":
                assert len(data) == 432, len(data)
                data = data[:100]
            write_entry(dst, info.filename.replace("state_dict/", "truncated/"), data)


def save_broken(sd):
    """A non-zip, a legacy torch.save file and a zip with an entry name that climbs out of the archive."""
    with open(out("not_a_zip.pth"), "wb") as f:
        f.write(b"These are not the weights you are looking for.\n")
    small = collections.OrderedDict((k, v) for k, v in sd.items() if k == "out.bias")
    torch.save(small, out("legacy.pth"), _use_new_zipfile_serialization=False)
    with zipfile.ZipFile(out("state_dict.pth")) as src, \
            zipfile.ZipFile(out("escaping_entry.pth"), "w", zipfile.ZIP_STORED) as dst:
        for info in src.infolist():
            write_entry(dst, info.filename.replace("state_dict/", "archive/"), src.read(info.filename))
        write_entry(dst, "archive/data/../../../escaped.txt", b"outside\n")


class Reduce:
    """pickle.dumps writes __reduce__'s callable by module and name: loading would call it."""

    def __init__(self, fn, *args):
        self.fn, self.args = fn, args

    def __reduce__(self):
        return self.fn, self.args


class UserClass:
    """Plain objects pickle as GLOBAL '__main__ UserClass' + NEWOBJ + BUILD."""

    def __init__(self):
        self.weight = [1.0, 2.0]


def write_malicious(name, pickle_bytes):
    """A torch-shaped zip (archive/data.pkl, archive/version) around a pickle that is never loaded here."""
    with zipfile.ZipFile(out(name), "w", zipfile.ZIP_STORED) as z:
        write_entry(z, "archive/data.pkl", pickle_bytes)
        write_entry(z, "archive/version", b"3\n")


def save_malicious():
    touch = "touch " + MARKER
    # protocol 2 with fix_imports: os.system is written as 'posix system', eval as '__builtin__ eval'
    write_malicious("evil_os_system.pth", pickle.dumps(Reduce(os.system, touch), protocol=2))
    write_malicious("evil_builtins_eval.pth",
                    pickle.dumps(Reduce(eval, "__import__('os').system(%r)" % touch), protocol=2))
    # protocol 4 names globals with STACK_GLOBAL
    write_malicious("evil_stack_global.pth",
                    pickle.dumps(Reduce(exec, "import os; os.system(%r)" % touch), protocol=4))
    # the payload hides behind a harmless first entry of an OrderedDict
    nested = collections.OrderedDict([("epoch", 3), ("weight", Reduce(os.system, touch))])
    write_malicious("evil_nested.pth", pickle.dumps(nested, protocol=2))
    user = pickle.dumps(UserClass(), protocol=2)
    assert b"__main__\nUserClass" in user
    write_malicious("evil_user_class.pth", user)
    # legacy-storage loader: it calls torch.load on embedded bytes, i.e. another unrestricted unpickler
    load_from_bytes = (b"\x80\x02ctorch.storage\n_load_from_bytes\nq\x00C\x04evilq\x01\x85q\x02Rq\x03.")
    write_malicious("evil_load_from_bytes.pth", load_from_bytes)
    for name in ("evil_os_system.pth", "evil_builtins_eval.pth", "evil_nested.pth"):
        with zipfile.ZipFile(out(name)) as z:
            assert MARKER.encode() in z.read("archive/data.pkl")


def plain_values(protocol):
    """Python values whose Java form PthReaderTest spells out by hand (UnpicklerTest): every opcode family.

    Protocol 2 has no opcode for bytes or sets (they pickle as calls to _codecs.encode and builtins.set,
    which the reader refuses), so those appear only in the protocol 5 file.
    """
    values = collections.OrderedDict([
        ("ints", [0, 1, 255, 256, 65535, 65536, -1, -2 ** 31, 2 ** 31, 2 ** 63 - 1, -2 ** 63, 2 ** 64, -2 ** 100]),
        ("floats", [0.5, -1e300, float("inf")]),
        ("strs", ["", "\u00e9\u20ac\U0001F600", "x" * 300]),
        ("tuples", ((0,), (2, 3), (4, 5, 6), (7, 8, 9, 10), ())),
        ("none", None),
        ("bools", [True, False]),
        ("shared", None),
        (7, "int key"),
    ])
    inner = ["same"]
    values["shared"] = [inner, inner]  # memo: the second reference is a BINGET
    if protocol >= 3:
        values["bytes"] = [b"\x00\xff", b"y" * 300, bytearray(b"ab")]
        values["sets"] = [{3}, frozenset([4])]
    return values


def save_plain_pickles():
    for protocol in (2, 5):
        with open(out("plain_p%d.pkl" % protocol), "wb") as f:
            f.write(pickle.dumps(plain_values(protocol), protocol=protocol))


def main():
    sd = tiny_state_dict()
    save_state_dicts(sd)
    save_dtypes()
    save_shared()
    save_parameters()
    save_truncated()
    save_broken(sd)
    save_malicious()
    save_plain_pickles()
    save_safetensors(out("expected.safetensors"), EXPECTED, {"shapes": json.dumps(SHAPES, sort_keys=True)})
    assert not os.path.exists(MARKER), "a fixture payload ran"
    total = sum(os.path.getsize(out(f)) for f in os.listdir(os.path.dirname(out("x"))))
    print("wrote %d expected tensors; fixtures/pth is %d bytes" % (len(EXPECTED), total))


if __name__ == "__main__":
    main()
