"""The NLU: the linear model and its calibration, and the Rasa components that serve them."""
