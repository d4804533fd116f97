"""The annual report's DOCX opens in LibreOffice and prints what it says: converted to PDF
by soffice and read back with pdftotext, the title, the agency, the section headings, the
table labels and figures and the prose are all there (skipped without LibreOffice, except
under CI)."""

from gongkai.core.tests.libreoffice import docx_to_pdf, pdf_text, squeezed
from gongkai.reports.rendering import render_docx
from gongkai.reports.tests.test_rendering import AGENCY, doc_2021


def test_report_docx_converts_in_libreoffice_with_its_text(tmp_path):
    doc = doc_2021()
    text = squeezed(pdf_text(docx_to_pdf(render_docx(doc), tmp_path, "report")))
    assert squeezed(doc.title) in text
    assert AGENCY in text
    # Labels of one-line cells (a merged, wrapped cell prints its lines among its
    # neighbours'), and figures of table 三 that are different everywhere.
    for label in ("一、本年新收政府信息公开申请数量", "(一)予以公开", "4.保护第三方合法权益",
                  "2.没有现成信息需要另行制作", "(五)不予处理", "(七)总计", "四、结转下年度继续办理"):
        assert label in text, label
    for ref in ("3/三.七/total", "3/四/natural_person"):
        assert str(doc.cells[ref]) in text, ref
    assert "一是公开内容有待丰富。" in text
    assert "本报告根据《中华人民共和国政府信息公开条例》编制。" in text
    assert "12.3456" in text  # the amount typed by hand, as printed
