"""Settings (the only reader of the environment and greenroom.yaml) and the runtime
object a process builds from them."""
