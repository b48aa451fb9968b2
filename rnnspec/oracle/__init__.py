"""The oracles: NumPy references of the recurrent cells in Keras's weight layout (`recurrent`), of ConvLSTM with a
convolution of its own (`convlstm`), and of backpropagation through time (`backprop`); what a caller may watch or
move as they compute is in `watching`. They import NumPy and each other alone, so that nothing of the code they
judge reaches them."""
