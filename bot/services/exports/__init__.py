"""Every workbook and document people open: the unit's 台账 (四单 + 履责记实), the ranking XLSX, the 半年报告
.docx. The only services package that writes openpyxl or python-docx files. May use everything below it."""
