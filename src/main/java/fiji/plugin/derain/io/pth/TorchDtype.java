package fiji.plugin.derain.io.pth;

import java.nio.ByteBuffer;

/**
 * The element types a checkpoint's typed storages can hold: the storage class name of the pickle
 * ({@code torch.FloatStorage}), the torch dtype name ({@code float32}), the element size, and how to
 * decode one element from a buffer whose byte order is already set.
 */
enum TorchDtype {
	FLOAT32("FloatStorage", "float32", 4, true),
	FLOAT64("DoubleStorage", "float64", 8, true),
	FLOAT16("HalfStorage", "float16", 2, true),
	BFLOAT16("BFloat16Storage", "bfloat16", 2, true),
	INT64("LongStorage", "int64", 8, false),
	INT32("IntStorage", "int32", 4, false),
	INT16("ShortStorage", "int16", 2, false),
	INT8("CharStorage", "int8", 1, false),
	UINT8("ByteStorage", "uint8", 1, false),
	BOOL("BoolStorage", "bool", 1, false);

	final String storageClass;
	final String torchName;
	final int size;
	final boolean floatingPoint;

	TorchDtype(String storageClass, String torchName, int size, boolean floatingPoint) {
		this.storageClass = storageClass;
		this.torchName = torchName;
		this.size = size;
		this.floatingPoint = floatingPoint;
	}

	/** The dtype of {@code torch.<storageClass>}, or null if there is none. */
	static TorchDtype ofStorageClass(String storageClass) {
		for (TorchDtype d : values())
			if (d.storageClass.equals(storageClass)) return d;
		return null;
	}

	/** Element {@code index} (not byte offset) of {@code data}, as the nearest float. */
	float floatAt(ByteBuffer data, int index) {
		int at = index * size;
		switch (this) {
			case FLOAT32: return data.getFloat(at);
			case FLOAT64: return (float) data.getDouble(at);
			case FLOAT16: return halfToFloat(data.getShort(at));
			// bfloat16 is the upper half of a float32
			case BFLOAT16: return Float.intBitsToFloat((data.getShort(at) & 0xffff) << 16);
			default: return longAt(data, index);
		}
	}

	/** Element {@code index} of an integer or bool storage, exactly. */
	long longAt(ByteBuffer data, int index) {
		int at = index * size;
		switch (this) {
			case INT64: return data.getLong(at);
			case INT32: return data.getInt(at);
			case INT16: return data.getShort(at);
			case INT8: return data.get(at);
			case UINT8: return data.get(at) & 0xff;
			case BOOL: return data.get(at) != 0 ? 1 : 0;
			default: throw new IllegalStateException(torchName + " is not an integer type");
		}
	}

	/** IEEE 754 binary16 to float (exact: every half value is a float). */
	static float halfToFloat(short half) {
		int bits = half & 0xffff;
		int sign = (bits & 0x8000) << 16;
		int exponent = (bits >>> 10) & 0x1f;
		int mantissa = bits & 0x3ff;
		if (exponent == 0x1f) return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
		if (exponent == 0) {
			float subnormal = mantissa * 0x1p-24f;
			return sign != 0 ? -subnormal : subnormal;
		}
		// rebias the exponent from 15 to 127
		return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
	}
}
