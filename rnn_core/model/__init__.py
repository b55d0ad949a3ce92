"""The models: the textbook's NumPy RNN, its Keras counterparts, weight transfer, parameter counts, initialisation."""
