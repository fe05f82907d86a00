"""The reference docs name every layer and solver type the engine registers,
so a type added without its docs row (docs/contributing.md) fails here."""
import pathlib

import caffe

DOCS = pathlib.Path(__file__).parents[2] / 'docs'


def test_layers_md_names_every_layer_type():
    text = (DOCS / 'layers.md').read_text()
    missing = [t for t in caffe.layer_type_list() if '`%s`' % t not in text]
    assert not missing, 'docs/layers.md does not name these layer types: %s' % missing


def test_engine_md_names_every_solver_type():
    text = (DOCS / 'engine.md').read_text()
    solvers = text[text.index('## Solvers'):text.index('## The `caffe` tool')]
    missing = [t for t in caffe.solver_type_list() if '`%s`' % t not in solvers]
    assert not missing, 'docs/engine.md ("Solvers") does not name these solver types: %s' % missing
