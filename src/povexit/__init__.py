"""povexit — poverty-exit assessment (贫困县退出专项评估检查) end to end.

Layers (see docs/architecture.md): registry → sampling → instruments → rules → estimate → verify →
report, with ``server`` (Django) and ``cli`` (Typer) as thin shells over the same core.
"""

__version__ = "0.1.0"
