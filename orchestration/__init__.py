"""Orchestration: the commands that run the generator (synth, diff, verify, deploy, guard, ...).

The layers, every import pointing down: ``config/`` -> the kernel (:mod:`goldenpath`: model,
config, naming, Helm values, chart cache) -> the renderers (:mod:`stacks`, :mod:`cdk8s_app`) ->
the artifacts -> the verifier (:mod:`goldenpath.verify`, which reads only artifacts). This
package sits above all of them; only entry points (``main.py``, ``cdk8s_app/__main__.py``,
``goldenpath/__main__.py``) import it. tests/test_layers.py enforces the direction.
"""
