"""One presentation model of an assessment (`view.py`) and the renderers that draw only it.

`report_view(result)` decides what a person is shown and in which words -- the emergency view,
percentages, citation numbers, which causes are explained; `terminal.py` lays it out with rich
and `html.py` as an HTML fragment for the web pages. Renderers import their own toolkit, so
importing this package costs neither rich nor Jinja2.
"""

from facespasm.report.view import ReportView, report_view

__all__ = ["ReportView", "report_view"]
