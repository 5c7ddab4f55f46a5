# Writes the two .docx fixtures of the key-fact golden set (python3, standard library only).
import sys, zipfile
from xml.sax.saxutils import escape

def para(text, bold=False, style=None):
    ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ''
    rpr = '<w:rPr><w:b/></w:rPr>' if bold else ''
    return f'<w:p>{ppr}<w:r>{rpr}<w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'

def table(rows):
    out = ['<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/></w:tblPr>']
    for row in rows:
        out.append('<w:tr>')
        for cell in row:
            out.append(f'<w:tc><w:tcPr><w:tcW w:w="3000" w:type="dxa"/></w:tcPr>{para(cell)}</w:tc>')
        out.append('</w:tr>')
    out.append('</w:tbl>')
    return ''.join(out)

def write(path, body):
    doc = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
           + body + '<w:sectPr/></w:body></w:document>')
    ct = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
          '</Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
            '</Relationships>')
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as z:
        for name, data in (('[Content_Types].xml', ct), ('_rels/.rels', rels), ('word/document.xml', doc)):
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)

write('invoice-harbourview-catering.docx', ''.join([
    para('Harbourview Catering Pty Ltd', bold=True),
    para('ABN 51 824 753 556'),
    para('Shop 3, 25 Pier Street, Fremantle WA 6160 | accounts@harbourview.example'),
    para('Tax Invoice', bold=True),
    table([['Invoice No.', 'HVC-3308'], ['Invoice Date', '19 April 2024'], ['Customer', 'Westcoast Mining Conference Committee'], ['Event', 'Delegate lunch, 17 April 2024']]),
    para(''),
    table([['Item', 'Qty', 'Amount (AUD)'],
           ['Plated lunch, three courses', '180', '11,700.00'],
           ['Beverage package', '180', '2,340.00'],
           ['Service staff (6 x 5 h)', '30', '1,650.00'],
           ['Subtotal', '', '15,690.00'],
           ['GST 10%', '', '1,569.00'],
           ['Total (AUD incl. GST)', '', '17,259.00']]),
    para('Payment due within 14 days. BSB 066-128, account 1048 7732.'),
]))

write('contract-greenfield-supply.docx', ''.join([
    para('SUPPLY AGREEMENT', bold=True),
    para('This Supply Agreement (this "Agreement") is dated as of 12 February 2024 and is effective as of 1 April 2024 (the "Effective Date").'),
    para('BETWEEN'),
    para('Greenfield Organics Ltd., a company incorporated under the laws of Ontario, Canada, having its principal place of business at 88 Queen Street East, Toronto, ON M5C 1S1 (the "Supplier"); and'),
    para('Maple Leaf Grocers Inc., a corporation organized under the laws of Canada, having its head office at 400 Portage Avenue, Winnipeg, MB R3C 0C3 (the "Buyer").'),
    para('1. TERM', bold=True),
    para('1.1 This Agreement commences on the Effective Date and continues for a period of three (3) years, unless terminated earlier in accordance with Section 9.'),
    para('2. PRICE', bold=True),
    para('2.1 The Buyer shall pay the prices set out in Schedule A. Prices are in Canadian dollars.'),
    para('12. GOVERNING LAW', bold=True),
    para('12.1 This Agreement is governed by the laws of the Province of Ontario and the federal laws of Canada applicable therein.'),
    para('Signed: Olivia Tremblay, President, Greenfield Organics Ltd.   Signed: Raj Patel, VP Procurement, Maple Leaf Grocers Inc.'),
]))
