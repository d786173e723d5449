"""Lookalikes of ASCII letters, from Unicode's confusables (UTS #39). Generated: do not edit.

Source: confusables.json of confusable-homoglyphs 3.3.1 (MIT), from
https://www.unicode.org/Public/security/latest/confusables.txt; written by
`python -m engine._gen_confusables`, which says what is kept.
"""

# 269 characters (after the engine's fold) and the ASCII letter each one looks like.
SOURCE = (
    'ıƅƍƽǀɑɡɣɩɪɯʀʋʏʝαβγεζηικμνορστυχϝϳϻавгекмнорстухьѕіјѡѵүһҽӏԁԍԛ'
    'ԝագզհոռստցքօଠഠဝყჿሀዐᎠᎡᎢᎥᎩᎪᎫᎬᎱᎳᎷᎻᎽᏀᏂᏃᏏᏒᏔᏕᏙᏚᏞᏟᏢᏦᏧᏳᏴᐯᑌᑭᑯᑲᒍᒪᕁᕼᕽᖇᖯ'
    'ᖴᗅᗞᗪᗰᗷᚷᛁᛕᛖᴄᴏᴑᴜᴠᴡᴢᴦᶃᶌẝỿⲅⲏⲓⲕⲙⲛⲟⲣⲥⲧⲩⲭⳑⴸⴹⵏⵔⵕⵝꓐꓑꓒꓓꓔꓖꓗꓙꓚꓜꓝꓟꓠꓡꓢꓣꓦꓧꓪ'
    'ꓫꓬꓮꓰꓲꓳꓴꙇꛟꜱꞙꞟꞵꬲꬵꬽꭇꭈꭎꭒꭓꭚ𐊂𐊆𐊇𐊊𐊐𐊒𐊕𐊖𐊗𐊠𐊡𐊢𐊥𐊫𐊰𐊱𐊲𐊴𐋏𐌁𐌂𐌉𐌑𐌕𐌗𐐬𐐽𐑃𐑈𐓜𐓪𐓶𐔓𐔖𐔘𐔜𐔝𐔥'
    '𐔦𐔧𑜆𑜊𑜎𑜏𑣀𑣁𑣂𑣃𑣄𑣆𑣈𑣉𑣎𑣒𑣕𑣗𑣘𑣜𖼈𖼊𖼖𖼨𖼵𖼺𖽀𖽂𖽃'
)
TARGET = (
    'ibgslagyiiwruyjabyezhikmvopotuxfjmabrekmhopctyxbsijwvyheidgq'
    'wwqqhnnusgfooooyouodrtiyajerwmhyghzbrwsvslcpkdgbvupdbjlxhxrb'
    'faddmbxlkmcoouvwzrgyfyrhlkmnopctyxlveloqxbpddtgkjczfmnlsrvhw'
    'xyaelouivsfubeforruuxybeflxopstabcfomtyxhbclmtxoclsrounokcvf'
    'lxvwwwvsfizeozeloouyvtllrsauy'
)
