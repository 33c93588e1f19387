"""Writes the array files of tests/arrays.rs with numpy and the safetensors package (run once:
`python3 make.py`; the files are committed, so the tests need neither package).

Every value is a dyadic rational small enough that float16/float32/float64 hold it exactly and
that numpy's products are exact, so the YAML twin of each case (written in tests/arrays.rs with
the same numbers as exact strings) describes the same point.
"""
import numpy as np
from safetensors.numpy import save_file

# depth 2, d = [2, 2, 2]: W1, W2 and X = I, Y = W2 W1 (a global minimizer of the plain loss)
W1 = np.array([[0.5, 0.25], [1.5, -1.0]])
W2 = np.array([[2.0, -0.75], [0.125, 1.0]])
X = np.eye(2)
Y = W2 @ W1

np.savez("point.npz", W1.astype(np.float32), W2)  # arr_0 float32, arr_1 float64
np.savez_compressed("point_named.npz", second=W2, first=W1.astype(np.float16))
np.save("w1.npy", W1)
np.save("w2_fortran.npy", np.asfortranarray(W2))
np.savez("data.npz", X=X, Y=Y, Y_int=np.array([[3, -2], [1, 7]], dtype=np.int64))
save_file(
    {"layers.0.weight": W1.astype(np.float32), "layers.1.weight": W2.astype(np.float32),
     "layers.10.bias": np.zeros(2, dtype=np.float32)},
    "point.safetensors",
)
# W_1 of a 3 -> 2 -> 2 network saved as input x output (3 x 2) instead of 2 x 3
np.savez("transposed.npz", np.ones((3, 2)), W2)
np.savez("nan.npz", np.array([[1.0, np.nan], [0.0, 1.0]]), W2)
print("Y =", Y.tolist())
